#pragma once

// S3 error responses with the codes, HTTP statuses, messages and extra
// <Error> members that Amazon S3 returns.

#include <cstdint>
#include <string>
#include <string_view>

#include "services/common/error.h"

namespace brume::s3 {

AwsError NoSuchBucket(std::string_view bucket);
AwsError NoSuchKey(std::string_view key);
AwsError NoSuchVersion(std::string_view key, std::string_view version_id);
AwsError NoSuchUpload(std::string_view upload_id);
AwsError BucketAlreadyExists(std::string_view bucket);
AwsError BucketAlreadyOwnedByYou(std::string_view bucket);
AwsError BucketNotEmpty(std::string_view bucket);
AwsError InvalidBucketName(std::string_view bucket);
AwsError KeyTooLong(size_t size);
AwsError InvalidArgument(std::string message, std::string_view name = {},
                         std::string_view value = {});
AwsError InvalidRequest(std::string message);
AwsError InvalidRange(std::string_view range, uint64_t object_size);
AwsError PreconditionFailed(std::string_view condition);
// 304 Not Modified; the codec renders no body for it.
AwsError NotModified();
AwsError BadDigest(std::string message);
AwsError InvalidDigest();
AwsError MalformedXml();
AwsError AccessDenied(std::string message = "Access Denied");
AwsError MethodNotAllowed(std::string_view method, std::string_view resource);
AwsError InternalError(std::string message);
AwsError NotImplementedFeature(std::string message);

}  // namespace brume::s3
