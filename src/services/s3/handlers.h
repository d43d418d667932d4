#pragma once

// The S3 operation handlers, one per operation and named like it. Each
// receives the decoded, validated input document of its operation.

#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/service.h"
#include "services/s3/state.h"

namespace brume::s3 {

#define BRUME_S3_HANDLER(name) \
  Reply name(S3State& state, RequestContext& ctx, Document& input)

// buckets.cc
BRUME_S3_HANDLER(CreateBucket);
BRUME_S3_HANDLER(DeleteBucket);
BRUME_S3_HANDLER(HeadBucket);
BRUME_S3_HANDLER(ListBuckets);
BRUME_S3_HANDLER(GetBucketLocation);

// objects.cc
BRUME_S3_HANDLER(PutObject);
BRUME_S3_HANDLER(GetObject);
BRUME_S3_HANDLER(HeadObject);
BRUME_S3_HANDLER(DeleteObject);
BRUME_S3_HANDLER(DeleteObjects);
BRUME_S3_HANDLER(CopyObject);
BRUME_S3_HANDLER(GetObjectAttributes);

// listing.cc
BRUME_S3_HANDLER(ListObjects);
BRUME_S3_HANDLER(ListObjectsV2);
BRUME_S3_HANDLER(ListObjectVersions);

// multipart.cc
BRUME_S3_HANDLER(CreateMultipartUpload);
BRUME_S3_HANDLER(UploadPart);
BRUME_S3_HANDLER(UploadPartCopy);
BRUME_S3_HANDLER(CompleteMultipartUpload);
BRUME_S3_HANDLER(AbortMultipartUpload);
BRUME_S3_HANDLER(ListParts);
BRUME_S3_HANDLER(ListMultipartUploads);

// versioning.cc
BRUME_S3_HANDLER(PutBucketVersioning);
BRUME_S3_HANDLER(GetBucketVersioning);

// object_config.cc
BRUME_S3_HANDLER(PutObjectTagging);
BRUME_S3_HANDLER(GetObjectTagging);
BRUME_S3_HANDLER(DeleteObjectTagging);
BRUME_S3_HANDLER(PutObjectAcl);
BRUME_S3_HANDLER(GetObjectAcl);
BRUME_S3_HANDLER(PutObjectRetention);
BRUME_S3_HANDLER(GetObjectRetention);
BRUME_S3_HANDLER(PutObjectLegalHold);
BRUME_S3_HANDLER(GetObjectLegalHold);

// bucket_config.cc
BRUME_S3_HANDLER(PutBucketAcl);
BRUME_S3_HANDLER(GetBucketAcl);
// Registers the stored-and-returned bucket subresources (tagging, CORS,
// lifecycle, encryption, policy, ...).
void RegisterBucketConfigHandlers(
    S3State& state,
    const std::function<void(std::string, Handler)>& register_handler);

// post_object.cc: the pseudo-operation of POST-policy form uploads.
BRUME_S3_HANDLER(PostObject);

// cors.cc
BRUME_S3_HANDLER(OptionsPreflight);
// Adds the CORS headers of the bucket the request names to any reply,
// errors included, when the request has an Origin header.
void AddCorsHeadersToReply(S3State& state, RequestContext& ctx,
                           const Document& input, Reply& reply);

#undef BRUME_S3_HANDLER

}  // namespace brume::s3
