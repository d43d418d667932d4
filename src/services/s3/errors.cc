#include "services/s3/errors.h"

#include <string>

namespace brume::s3 {
namespace {

AwsError Make(std::string code, std::string message, int status) {
  AwsError error;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = status;
  error.sender_fault = status < 500;
  return error;
}

}  // namespace

AwsError NoSuchBucket(std::string_view bucket) {
  AwsError error =
      Make("NoSuchBucket", "The specified bucket does not exist", 404);
  error.fields.emplace_back("BucketName", std::string(bucket));
  return error;
}

AwsError NoSuchKey(std::string_view key) {
  AwsError error = Make("NoSuchKey", "The specified key does not exist.", 404);
  error.fields.emplace_back("Key", std::string(key));
  return error;
}

AwsError NoSuchVersion(std::string_view key, std::string_view version_id) {
  AwsError error = Make(
      "NoSuchVersion",
      "The specified version does not exist.", 404);
  error.fields.emplace_back("Key", std::string(key));
  error.fields.emplace_back("VersionId", std::string(version_id));
  return error;
}

AwsError NoSuchUpload(std::string_view upload_id) {
  AwsError error = Make("NoSuchUpload",
                        "The specified upload does not exist. The upload ID "
                        "may be invalid, or the upload may have been aborted "
                        "or completed.",
                        404);
  error.fields.emplace_back("UploadId", std::string(upload_id));
  return error;
}

AwsError BucketAlreadyExists(std::string_view bucket) {
  AwsError error = Make("BucketAlreadyExists",
                        "The requested bucket name is not available. The "
                        "bucket namespace is shared by all users of the "
                        "system. Please select a different name and try "
                        "again.",
                        409);
  error.fields.emplace_back("BucketName", std::string(bucket));
  return error;
}

AwsError BucketAlreadyOwnedByYou(std::string_view bucket) {
  AwsError error = Make("BucketAlreadyOwnedByYou",
                        "Your previous request to create the named bucket "
                        "succeeded and you already own it.",
                        409);
  error.fields.emplace_back("BucketName", std::string(bucket));
  return error;
}

AwsError BucketNotEmpty(std::string_view bucket) {
  AwsError error = Make("BucketNotEmpty",
                        "The bucket you tried to delete is not empty", 409);
  error.fields.emplace_back("BucketName", std::string(bucket));
  return error;
}

AwsError InvalidBucketName(std::string_view bucket) {
  AwsError error =
      Make("InvalidBucketName", "The specified bucket is not valid.", 400);
  error.fields.emplace_back("BucketName", std::string(bucket));
  return error;
}

AwsError KeyTooLong(size_t size) {
  AwsError error =
      Make("KeyTooLongError", "Your key is too long", 400);
  error.fields.emplace_back("MaxSizeAllowed", "1024");
  error.fields.emplace_back("Size", std::to_string(size));
  return error;
}

AwsError InvalidArgument(std::string message, std::string_view name,
                         std::string_view value) {
  AwsError error = Make("InvalidArgument", std::move(message), 400);
  if (!name.empty()) {
    error.fields.emplace_back("ArgumentName", std::string(name));
    error.fields.emplace_back("ArgumentValue", std::string(value));
  }
  return error;
}

AwsError InvalidRequest(std::string message) {
  return Make("InvalidRequest", std::move(message), 400);
}

AwsError InvalidRange(std::string_view range, uint64_t object_size) {
  AwsError error =
      Make("InvalidRange", "The requested range is not satisfiable", 416);
  error.fields.emplace_back("RangeRequested", std::string(range));
  error.fields.emplace_back("ActualObjectSize", std::to_string(object_size));
  error.headers.emplace_back("Content-Range",
                             "bytes */" + std::to_string(object_size));
  return error;
}

AwsError PreconditionFailed(std::string_view condition) {
  AwsError error = Make("PreconditionFailed",
                        "At least one of the pre-conditions you specified did "
                        "not hold",
                        412);
  error.fields.emplace_back("Condition", std::string(condition));
  return error;
}

AwsError NotModified() { return Make("NotModified", "Not Modified", 304); }

AwsError BadDigest(std::string message) {
  return Make("BadDigest", std::move(message), 400);
}

AwsError InvalidDigest() {
  return Make("InvalidDigest", "The Content-MD5 you specified was invalid.",
              400);
}

AwsError MalformedXml() {
  return Make("MalformedXML",
              "The XML you provided was not well-formed or did not validate "
              "against our published schema",
              400);
}

AwsError AccessDenied(std::string message) {
  return Make("AccessDenied", std::move(message), 403);
}

AwsError MethodNotAllowed(std::string_view method, std::string_view resource) {
  AwsError error = Make("MethodNotAllowed",
                        "The specified method is not allowed against this "
                        "resource.",
                        405);
  error.fields.emplace_back("Method", std::string(method));
  error.fields.emplace_back("ResourceType", std::string(resource));
  return error;
}

AwsError InternalError(std::string message) {
  return Make("InternalError", std::move(message), 500);
}

AwsError NotImplementedFeature(std::string message) {
  return Make("NotImplemented", std::move(message), 501);
}

}  // namespace brume::s3
