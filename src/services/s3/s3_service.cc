#include "services/s3/s3_service.h"

#include <spdlog/spdlog.h>

#include "platform/timers.h"
#include "services/s3/access.h"
#include "services/s3/access_log.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"
#include "services/s3/lifecycle.h"
#include "services/s3/notifications.h"

namespace brume::s3 {
namespace {

// How often lifecycle rules are applied, in clock time. S3 itself applies
// them about once a day; a shorter period lets tests that advance the clock
// see expirations promptly.
constexpr std::chrono::minutes kLifecyclePeriod{10};
// How often buffered server access log records are delivered, in clock
// time. S3 delivers within a few hours; tests advance the clock instead.
constexpr std::chrono::minutes kAccessLogPeriod{5};

using S3Handler = Reply (*)(S3State&, RequestContext&, Document&);

class S3Service : public Service {
 public:
  explicit S3Service(const ServiceEnvironment& env)
      : state_(std::make_unique<S3State>(env)) {
    RegisterAll();
    if (env.storage->persistent()) {
      Result<size_t> removed = state_->store().RemoveOrphanBlobs();
      if (!removed.ok()) {
        spdlog::warn("s3: orphan blob sweep failed: {}",
                     removed.error().message);
      } else if (removed.value() > 0) {
        spdlog::info("s3: removed {} orphan object data files",
                     removed.value());
      }
    }
    if (env.timers != nullptr) {
      S3State* state = state_.get();
      lifecycle_timer_ =
          env.timers->Every(kLifecyclePeriod, [state] { RunLifecycle(*state); });
      access_log_timer_ = env.timers->Every(
          kAccessLogPeriod, [state] { FlushAccessLogs(*state); });
    }
  }

  ~S3Service() override {
    if (state_->env().timers != nullptr && lifecycle_timer_ != 0) {
      state_->env().timers->Cancel(lifecycle_timer_);
      state_->env().timers->Cancel(access_log_timer_);
    }
    ForgetAccessLogs(*state_);
  }

  std::string_view id() const override { return "s3"; }

  void Reset() override {
    state_->PurgeRemovedBlobs(/*all=*/true);
    ForgetAccessLogs(*state_);
    state_->store().EnsureBlobDir();
  }

 private:
  // Wraps a handler with the checks every S3 request gets:
  // x-amz-expected-bucket-owner, authorization (bucket policy, ACLs,
  // ownership) and the ACL the request sets, if any. The dispatcher checks
  // presigned URL expiry before the request gets here.
  Handler Wrap(std::string operation, std::function<Reply(RequestContext&, Document&)> handler) {
    S3State* state = state_.get();
    return [state, operation = std::move(operation),
            handler = std::move(handler)](RequestContext& ctx,
                                          Document& input) -> Reply {
      std::string expected_owner = InputString(input, "ExpectedBucketOwner");
      if (!expected_owner.empty() && expected_owner != ctx.account_id) {
        return AccessDenied();
      }
      try {
        Reply reply = [&]() -> Reply {
          Status allowed = AuthorizeRequest(*state, ctx, operation, input);
          if (!allowed.ok()) return allowed.error();
          Status acl = CheckAclRequest(*state, ctx, operation, input);
          if (!acl.ok()) return acl.error();
          // NOTE: requests refused above are not logged, though S3 logs them.
          Reply handled = handler(ctx, input);
          RecordAccessLog(*state, ctx, operation, input, handled);
          return handled;
        }();
        if (operation != "OptionsPreflight") {
          AddCorsHeadersToReply(*state, ctx, input, reply);
        }
        return reply;
      } catch (const nlohmann::json::exception& error) {
        spdlog::error("s3 {}: request {} failed: {}", operation,
                      ctx.request_id, error.what());
        return InternalError(
            "We encountered an internal error. Please try again.");
      }
    };
  }

  void Add(std::string operation, S3Handler handler) {
    S3State* state = state_.get();
    Handler wrapped =
        Wrap(operation, [state, handler](RequestContext& ctx, Document& input) {
          return handler(*state, ctx, input);
        });
    Register(std::move(operation), std::move(wrapped));
  }

  void RegisterAll() {
    Add("CreateBucket", &CreateBucket);
    Add("DeleteBucket", &DeleteBucket);
    Add("HeadBucket", &HeadBucket);
    Add("ListBuckets", &ListBuckets);
    Add("GetBucketLocation", &GetBucketLocation);

    Add("PutObject", &PutObject);
    Add("GetObject", &GetObject);
    Add("HeadObject", &HeadObject);
    Add("DeleteObject", &DeleteObject);
    Add("DeleteObjects", &DeleteObjects);
    Add("CopyObject", &CopyObject);
    Add("GetObjectAttributes", &GetObjectAttributes);

    Add("ListObjects", &ListObjects);
    Add("ListObjectsV2", &ListObjectsV2);
    Add("ListObjectVersions", &ListObjectVersions);

    Add("CreateMultipartUpload", &CreateMultipartUpload);
    Add("UploadPart", &UploadPart);
    Add("UploadPartCopy", &UploadPartCopy);
    Add("CompleteMultipartUpload", &CompleteMultipartUpload);
    Add("AbortMultipartUpload", &AbortMultipartUpload);
    Add("ListParts", &ListParts);
    Add("ListMultipartUploads", &ListMultipartUploads);

    Add("PutBucketVersioning", &PutBucketVersioning);
    Add("GetBucketVersioning", &GetBucketVersioning);

    Add("PutObjectTagging", &PutObjectTagging);
    Add("GetObjectTagging", &GetObjectTagging);
    Add("DeleteObjectTagging", &DeleteObjectTagging);
    Add("PutObjectAcl", &PutObjectAcl);
    Add("GetObjectAcl", &GetObjectAcl);
    Add("PutObjectRetention", &PutObjectRetention);
    Add("GetObjectRetention", &GetObjectRetention);
    Add("PutObjectLegalHold", &PutObjectLegalHold);
    Add("GetObjectLegalHold", &GetObjectLegalHold);

    Add("PutBucketNotificationConfiguration",
        &PutBucketNotificationConfiguration);
    Add("PutBucketAcl", &PutBucketAcl);
    Add("GetBucketAcl", &GetBucketAcl);
    Add("GetBucketPolicyStatus", &GetBucketPolicyStatus);
    RegisterBucketConfigHandlers(
        *state_, [this](std::string operation, Handler handler) {
          Handler wrapped = Wrap(operation, std::move(handler));
          Register(std::move(operation), std::move(wrapped));
        });

    // Pseudo-operations the router sends S3 requests with no model
    // operation to.
    Add("OptionsPreflight", &OptionsPreflight);
    Add("PostObject", &PostObject);
  }

  std::unique_ptr<S3State> state_;
  platform::Timers::TimerId lifecycle_timer_ = 0;
  platform::Timers::TimerId access_log_timer_ = 0;
};

}  // namespace

std::unique_ptr<Service> CreateS3Service(const ServiceEnvironment& env) {
  return std::make_unique<S3Service>(env);
}

}  // namespace brume::s3
