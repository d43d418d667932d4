# Included by src/services/CMakeLists.txt: STS reads SAML assertions with
# pugixml and deflates session policies with zlib.
target_link_libraries(${service_target} PUBLIC pugixml::pugixml ZLIB::ZLIB)
