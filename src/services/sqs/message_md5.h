#pragma once

// The digests SQS returns so that SDKs can check what it stored:
// MD5OfMessageBody, MD5OfMessageAttributes and MD5OfMessageSystemAttributes.

#include <string>
#include <string_view>

#include "services/common/document.h"

namespace brume::sqs {

// Lower-case hex MD5 of `data`.
std::string Md5Hex(std::string_view data);

// Lower-case hex SHA-256 of `data`, the MessageDeduplicationId of
// content-based deduplication.
std::string Sha256Hex(std::string_view data);

// MD5 of message attributes in the encoding SQS specifies: for each
// attribute in ascending name order, the name, the DataType, a transport
// byte (1 for StringValue, 2 for BinaryValue) and the value, each string
// preceded by its length as a 4-byte big-endian integer. `attributes` maps
// names to {DataType, StringValue | BinaryValue}. Returns lower-case hex.
std::string MessageAttributesMd5(const Document& attributes);

}  // namespace brume::sqs
