#pragma once

// Per-protocol halves of the codec; src/aws/codec.cc picks one by
// OperationRef::protocol. Each file implements one protocol family.

#include <string_view>

#include "aws/codec.h"

namespace brume::aws::codec {

// json 1.0/1.1 (X-Amz-Target) and rest-json: json_codec.cc
Result<Document> DecodeJson(const OperationRef& ref, const HttpRequest& request);
HttpResponse EncodeJson(const OperationRef& ref, const Document& output,
                        const RequestContext& ctx);
Result<Document> DecodeRestJson(const OperationRef& ref,
                                const HttpRequest& request,
                                const UriLabels& labels);
HttpResponse EncodeRestJson(const OperationRef& ref, const Document& output,
                            const RequestContext& ctx);
HttpResponse EncodeJsonError(const ServiceModel* service, Protocol protocol,
                             const AwsError& error,
                             std::string_view request_id);

// smithy-rpc-v2-cbor: cbor_codec.cc
Result<Document> DecodeCbor(const OperationRef& ref, const HttpRequest& request);
HttpResponse EncodeCbor(const OperationRef& ref, const Document& output,
                        const RequestContext& ctx);
HttpResponse EncodeCborError(const ServiceModel* service, const AwsError& error,
                             std::string_view request_id);

// query and ec2: query_codec.cc
Result<Document> DecodeQuery(const OperationRef& ref, const HttpRequest& request);
HttpResponse EncodeQuery(const OperationRef& ref, const Document& output,
                         const RequestContext& ctx);
HttpResponse EncodeQueryError(const ServiceModel* service, Protocol protocol,
                              const AwsError& error,
                              std::string_view request_id);

// rest-xml: rest_xml_codec.cc
Result<Document> DecodeRestXml(const OperationRef& ref,
                               const HttpRequest& request,
                               const UriLabels& labels);
HttpResponse EncodeRestXml(const OperationRef& ref, const Document& output,
                           const RequestContext& ctx);
HttpResponse EncodeRestXmlError(const ServiceModel* service,
                                const AwsError& error,
                                std::string_view request_id);

// Input validation shared by every protocol: validate.cc. Checks required
// members, enums, lengths and ranges of `input` against the operation's
// input shape and returns the error AWS returns for the protocol.
Status ValidateInput(const OperationRef& ref, const Document& input);

}  // namespace brume::aws::codec
