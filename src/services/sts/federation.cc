#include "services/sts/federation.h"

#include <charconv>
#include <cstdio>
#include <ctime>

#include <pugixml.hpp>

#include "platform/crypto.h"
#include "platform/strings.h"
#include "services/common/document.h"

namespace brume::sts {
namespace {

constexpr std::string_view kNameIdFormatPrefix =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:";
constexpr std::string_view kAwsSamlAttributePrefix =
    "https://aws.amazon.com/SAML/Attributes/";

AwsError InvalidIdentityToken(std::string message) {
  AwsError error;
  error.code = "InvalidIdentityTokenException";
  error.message = std::move(message);
  return error;
}

AwsError ExpiredToken(int64_t now_seconds, int64_t expires_at) {
  AwsError error;
  error.code = "ExpiredTokenException";
  error.message = "Token expired: current date/time " +
                  std::to_string(now_seconds) +
                  " must be before the expiration date/time " +
                  std::to_string(expires_at);
  return error;
}

// Decodes base64url without padding, as JWT segments use it.
bool Base64UrlDecode(std::string_view text, std::string* bytes) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (standard.size() % 4 != 0) standard.push_back('=');
  return platform::Base64Decode(standard, bytes);
}

// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" into seconds since the epoch.
std::optional<int64_t> ParseIso8601(std::string_view text) {
  std::tm tm{};
  int year, month, day, hour, minute, second;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day,
                  &hour, &minute, &second) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

// Finds the first element below `node` whose local name (without namespace
// prefix) is `name`. SAML documents use varying prefixes (saml:, saml2:, or
// a default namespace), so names are matched without them.
pugi::xml_node FindByLocalName(pugi::xml_node node, std::string_view name) {
  return node.find_node([name](pugi::xml_node candidate) {
    std::string_view full = candidate.name();
    size_t colon = full.find(':');
    std::string_view local =
        colon == std::string_view::npos ? full : full.substr(colon + 1);
    return candidate.type() == pugi::node_element && local == name;
  });
}

std::string LocalName(pugi::xml_node node) {
  std::string_view full = node.name();
  size_t colon = full.find(':');
  return std::string(colon == std::string_view::npos ? full
                                                     : full.substr(colon + 1));
}

std::string Trimmed(const char* text) {
  return std::string(platform::Trim(text));
}

// Reads the AWS attributes (RoleSessionName, SessionDuration, Role) of
// every Attribute element of an assertion.
class AttributeReader : public pugi::xml_tree_walker {
 public:
  explicit AttributeReader(SamlAssertion* out) : out_(out) {}

  bool for_each(pugi::xml_node& node) override {
    if (node.type() != pugi::node_element || LocalName(node) != "Attribute") {
      return true;
    }
    std::string_view name = node.attribute("Name").value();
    if (!name.starts_with(kAwsSamlAttributePrefix)) return true;
    std::string_view key = name.substr(kAwsSamlAttributePrefix.size());
    for (pugi::xml_node value : node.children()) {
      if (value.type() != pugi::node_element ||
          LocalName(value) != "AttributeValue") {
        continue;
      }
      std::string text = Trimmed(value.child_value());
      if (key == "RoleSessionName") {
        out_->role_session_name = text;
      } else if (key == "SessionDuration") {
        int64_t seconds = 0;
        auto [end, error] =
            std::from_chars(text.data(), text.data() + text.size(), seconds);
        // An unreadable SessionDuration is ignored, so the default applies.
        if (error == std::errc() && end == text.data() + text.size()) {
          out_->session_duration = seconds;
        }
      } else if (key == "Role") {
        out_->roles.push_back(text);
      }
    }
    return true;
  }

 private:
  SamlAssertion* out_;
};

}  // namespace

Result<WebIdentityClaims> ParseWebIdentityToken(std::string_view token,
                                                int64_t now_seconds) {
  size_t first_dot = token.find('.');
  size_t second_dot = first_dot == std::string_view::npos
                          ? std::string_view::npos
                          : token.find('.', first_dot + 1);
  std::string payload_json;
  if (second_dot == std::string_view::npos ||
      !Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1),
                       &payload_json)) {
    return InvalidIdentityToken(
        "The ID Token provided is not a valid JWT. (You may see this error if "
        "you sent an Access Token)");
  }
  Document payload =
      Document::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) {
    return InvalidIdentityToken(
        "The ID Token provided is not a valid JWT. (You may see this error if "
        "you sent an Access Token)");
  }

  WebIdentityClaims claims;
  claims.issuer = payload.value("iss", "");
  claims.subject = payload.value("sub", "");
  auto audience = payload.find("aud");
  if (audience != payload.end()) {
    if (audience->is_string()) {
      claims.audience = audience->get<std::string>();
    } else if (audience->is_array() && !audience->empty() &&
               (*audience)[0].is_string()) {
      claims.audience = (*audience)[0].get<std::string>();
    }
  }
  if (claims.subject.empty()) {
    return InvalidIdentityToken("The ID Token provided has no subject (sub).");
  }
  auto expires = payload.find("exp");
  if (expires != payload.end() && expires->is_number()) {
    claims.expires_at = static_cast<int64_t>(expires->get<double>());
    if (*claims.expires_at <= now_seconds) {
      return ExpiredToken(now_seconds, *claims.expires_at);
    }
  }
  return claims;
}

Result<SamlAssertion> ParseSamlAssertion(std::string_view base64_response,
                                         int64_t now_seconds) {
  std::string xml;
  if (!platform::Base64Decode(platform::Trim(base64_response), &xml)) {
    return InvalidIdentityToken("Invalid base64 SAMLResponse");
  }
  pugi::xml_document document;
  if (!document.load_buffer(xml.data(), xml.size())) {
    return InvalidIdentityToken("Invalid SAML response: not well-formed XML");
  }
  pugi::xml_node assertion = FindByLocalName(document, "Assertion");
  if (!assertion) {
    return InvalidIdentityToken("Invalid SAML response: no Assertion");
  }

  SamlAssertion out;
  // The assertion's Issuer takes precedence over the Response's.
  pugi::xml_node issuer = FindByLocalName(assertion, "Issuer");
  if (!issuer) issuer = FindByLocalName(document, "Issuer");
  out.issuer = Trimmed(issuer.child_value());

  pugi::xml_node name_id = FindByLocalName(assertion, "NameID");
  out.subject = Trimmed(name_id.child_value());
  out.subject_format = name_id.attribute("Format").value();

  pugi::xml_node confirmation =
      FindByLocalName(assertion, "SubjectConfirmationData");
  out.audience = confirmation.attribute("Recipient").value();
  if (const char* limit = confirmation.attribute("NotOnOrAfter").value();
      *limit != '\0') {
    out.not_on_or_after = ParseIso8601(limit);
  }
  if (!out.not_on_or_after) {
    pugi::xml_node conditions = FindByLocalName(assertion, "Conditions");
    if (const char* limit = conditions.attribute("NotOnOrAfter").value();
        *limit != '\0') {
      out.not_on_or_after = ParseIso8601(limit);
    }
  }

  AttributeReader reader(&out);
  assertion.traverse(reader);

  if (out.issuer.empty()) {
    return InvalidIdentityToken("Invalid SAML response: no Issuer");
  }
  if (out.subject.empty()) {
    return InvalidIdentityToken("Invalid SAML response: no Subject NameID");
  }
  if (out.role_session_name.empty()) {
    return InvalidIdentityToken(
        "Invalid SAML response: no attribute "
        "https://aws.amazon.com/SAML/Attributes/RoleSessionName");
  }
  if (out.not_on_or_after && *out.not_on_or_after <= now_seconds) {
    return ExpiredToken(now_seconds, *out.not_on_or_after);
  }
  return out;
}

std::string SamlSubjectType(std::string_view format) {
  if (format.starts_with(kNameIdFormatPrefix)) {
    return std::string(format.substr(kNameIdFormatPrefix.size()));
  }
  return std::string(format);
}

std::string SamlNameQualifier(std::string_view issuer,
                              std::string_view account_id,
                              std::string_view provider_name) {
  std::string input = std::string(issuer) + std::string(account_id) + "/" +
                      std::string(provider_name);
  return platform::Base64Encode(platform::Sha1(input));
}

}  // namespace brume::sts
