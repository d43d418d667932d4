#pragma once

// Turns a parsed HTTP request into the response AWS would send: identity
// from SigV4 (or SigV2 for S3), optional signature checks, the protocol
// codec, the service handler, and errors in the protocol's shape. Knows
// nothing of sockets, so the HTTP server calls it in two phases around
// reading the body.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/router.h"
#include "aws/sigv2.h"
#include "aws/sigv4.h"
#include "platform/clock.h"
#include "platform/credentials.h"
#include "platform/storage.h"
#include "platform/wakeups.h"
#include "services/common/service.h"

namespace brume::server {

struct DispatcherOptions {
  bool verify_signatures = false;
  // Long-term credentials accepted when verifying signatures.
  std::string access_key_id = "test";
  std::string secret_access_key = "test";
  std::string default_region = "us-east-1";
};

// One request between its headers and its response.
struct Exchange {
  HttpRequest request;
  std::optional<aws::SigV4Auth> auth;
  // Set instead of `auth` for requests signed with Signature Version 2,
  // which only S3 accepts.
  std::optional<aws::SigV2Auth> sigv2_auth;
  aws::Route route;
  RequestContext context;
  // Set when the request already failed (bad signature, unknown
  // operation): the server sends it without calling a handler.
  std::optional<HttpResponse> early_response;
  std::string error_code;  // AWS error code sent, for the access log
  Document input;
  bool input_decoded = false;
};

class Dispatcher {
 public:
  Dispatcher(DispatcherOptions options, const aws::Router* router,
             std::vector<std::unique_ptr<Service>>* services,
             platform::CredentialStore* credentials, platform::Clock* clock,
             platform::Wakeups* wakeups);

  // Phase 1, with the request line and headers: parses SigV4 or SigV2,
  // routes, and resolves the caller's identity. Sets exchange.early_response
  // on failure.
  void Begin(Exchange& exchange) const;

  // After the body was read, for query requests whose Action is in it.
  void RouteBody(Exchange& exchange) const;

  // With --verify-signatures, the decoder that checks the chunk signatures
  // of a signed aws-chunked body; nullopt when there is nothing to check.
  std::optional<aws::AwsChunkedDecoder> ChunkVerifier(
      const Exchange& exchange) const;

  // After the body was read: checks what needed the body (signatures of
  // requests that sent no x-amz-content-sha256, payload hashes). Sets
  // exchange.early_response on failure.
  void FinishAuthentication(Exchange& exchange) const;

  // Phase 2: decodes the input, calls the handler and encodes its reply.
  // Returns a WaitAndRetry when the handler asked to wait; the server then
  // calls Dispatch again after the wake-up or the deadline.
  std::variant<HttpResponse, WaitAndRetry> Dispatch(
      Exchange& exchange) const;

  // Renders `error` for the exchange's service and protocol and records its
  // code for the access log.
  HttpResponse Fail(Exchange& exchange, const AwsError& error) const;

  const Service* FindService(std::string_view id) const;

 private:
  std::optional<AwsError> ResolveIdentity(Exchange& exchange) const;
  // Checks a SigV2 request's time and, with --verify-signatures, its
  // signature. S3 only: other services reject a SigV2 header.
  std::optional<AwsError> CheckSigV2(Exchange& exchange) const;
  // Sets the account and caller ARN of `access_key_id`; fails for
  // temporary credentials whose session token is wrong or expired.
  std::optional<AwsError> ResolveCaller(Exchange& exchange,
                                        const std::string& access_key_id,
                                        const std::string& security_token) const;
  // Operations callable without a signature even under
  // --verify-signatures (AssumeRoleWithWebIdentity, S3 form uploads).
  bool AllowsAnonymous(const Exchange& exchange) const;
  AwsError MissingAuthentication(const Exchange& exchange) const;
  // The secret of `access_key_id`, or the error AWS returns for an
  // unknown key.
  Result<std::string> SecretFor(const Exchange& exchange,
                                const std::string& access_key_id) const;
  // Renames authentication errors the way the request's protocol names
  // them.
  AwsError AdaptAuthError(const Exchange& exchange, AwsError error) const;

  DispatcherOptions options_;
  const aws::Router* router_;
  std::map<std::string, Service*, std::less<>> services_;
  platform::CredentialStore* credentials_;
  platform::Clock* clock_;
  platform::Wakeups* wakeups_;
};

}  // namespace brume::server
