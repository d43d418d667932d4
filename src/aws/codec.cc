#include "aws/codec.h"

#include "aws/codec/protocols.h"

namespace brume::aws {

Result<Document> DecodeInput(const OperationRef& ref, const HttpRequest& request,
                             const UriLabels& labels) {
  Result<Document> input = [&]() -> Result<Document> {
    switch (ref.protocol) {
      case Protocol::kJson:
        return codec::DecodeJson(ref, request);
      case Protocol::kRestJson:
        return codec::DecodeRestJson(ref, request, labels);
      case Protocol::kRpcV2Cbor:
        return codec::DecodeCbor(ref, request);
      case Protocol::kQuery:
      case Protocol::kEc2:
        return codec::DecodeQuery(ref, request);
      case Protocol::kRestXml:
        return codec::DecodeRestXml(ref, request, labels);
    }
    return InternalFailure("unknown protocol");
  }();
  if (!input.ok()) return input;
  Status valid = codec::ValidateInput(ref, input.value());
  if (!valid.ok()) return valid.error();
  return input;
}

HttpResponse EncodeOutput(const OperationRef& ref, const Document& output,
                          const RequestContext& ctx) {
  switch (ref.protocol) {
    case Protocol::kJson:
      return codec::EncodeJson(ref, output, ctx);
    case Protocol::kRestJson:
      return codec::EncodeRestJson(ref, output, ctx);
    case Protocol::kRpcV2Cbor:
      return codec::EncodeCbor(ref, output, ctx);
    case Protocol::kQuery:
    case Protocol::kEc2:
      return codec::EncodeQuery(ref, output, ctx);
    case Protocol::kRestXml:
      return codec::EncodeRestXml(ref, output, ctx);
  }
  return EncodeError(ref.service, ref.protocol,
                     InternalFailure("unknown protocol"), ctx.request_id);
}

HttpResponse EncodeError(const ServiceModel* service, Protocol protocol,
                         const AwsError& error, std::string_view request_id) {
  switch (protocol) {
    case Protocol::kJson:
    case Protocol::kRestJson:
      return codec::EncodeJsonError(service, protocol, error, request_id);
    case Protocol::kRpcV2Cbor:
      return codec::EncodeCborError(service, error, request_id);
    case Protocol::kQuery:
    case Protocol::kEc2:
      return codec::EncodeQueryError(service, protocol, error, request_id);
    case Protocol::kRestXml:
      return codec::EncodeRestXmlError(service, error, request_id);
  }
  return codec::EncodeJsonError(service, Protocol::kJson, error, request_id);
}

}  // namespace brume::aws
