#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "platform/clock.h"
#include "platform/credentials.h"
#include "platform/storage.h"
#include "platform/strings.h"
#include "services/sts/federation.h"
#include "services/sts/session_store.h"
#include "services/sts/sts_service.h"
#include "services/sts/validation.h"

namespace brume::sts {
namespace {

std::string Base64Url(std::string_view text) {
  std::string out = platform::Base64Encode(text);
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string MakeJwt(const Document& payload) {
  return Base64Url(R"({"alg":"RS256","typ":"JWT"})") + "." +
         Base64Url(payload.dump()) + ".c2lnbmF0dXJl";
}

std::string SamlResponse(std::string_view session_name,
                         std::string_view not_on_or_after,
                         std::string_view role_pair) {
  std::string xml = R"(<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example.com/saml</saml:Issuer>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
    <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">alice@example.com</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter=")" +
                    std::string(not_on_or_after) +
                    R"(" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue>)" +
                    std::string(role_pair) + R"(</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>)" +
                    std::string(session_name) + R"(</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>)";
  return platform::Base64Encode(xml);
}

constexpr char kRoleArn[] = "arn:aws:iam::111122223333:role/app/deployer";
constexpr char kSamlProviderArn[] =
    "arn:aws:iam::111122223333:saml-provider/Corp";

class StsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto storage = platform::Storage::OpenSqlite("");
    ASSERT_TRUE(storage.ok()) << storage.status().message();
    storage_ = std::move(storage.value());
    Start();
  }

  void Start() {
    ServiceEnvironment env;
    env.storage = storage_.get();
    env.clock = &clock_;
    env.credentials = &credentials_;
    service_ = CreateStsService(env);
  }

  // Calls an operation as the caller with `access_key_id`.
  Reply Call(std::string_view operation, Document input,
             std::string access_key_id = "test") {
    const Handler* handler = service_->FindHandler(operation);
    EXPECT_NE(handler, nullptr) << operation;
    RequestContext ctx;
    ctx.service = "sts";
    ctx.operation = operation;
    ctx.region = "us-east-1";
    ctx.access_key_id = access_key_id;
    ctx.account_id = platform::DefaultAccountForAccessKey(access_key_id);
    ctx.clock = &clock_;
    return (*handler)(ctx, input);
  }

  Document AssumeRole(Document extra = Document::object(),
                      std::string access_key_id = "test") {
    Document input = {{"RoleArn", kRoleArn}, {"RoleSessionName", "build-1"}};
    input.update(extra);
    Reply reply = Call("AssumeRole", input, access_key_id);
    EXPECT_TRUE(reply.is_document())
        << (reply.is_error() ? reply.error().message : "");
    return reply.is_document() ? reply.document() : Document();
  }

  platform::AdjustableClock clock_;
  platform::CredentialStore credentials_;
  std::unique_ptr<platform::Storage> storage_;
  std::unique_ptr<Service> service_;
};

TEST_F(StsServiceTest, CallerIdentityOfDefaultKeyIsRoot) {
  Reply reply = Call("GetCallerIdentity", Document::object());
  ASSERT_TRUE(reply.is_document());
  EXPECT_EQ(reply.document()["Account"], "000000000000");
  EXPECT_EQ(reply.document()["UserId"], "000000000000");
  EXPECT_EQ(reply.document()["Arn"], "arn:aws:iam::000000000000:root");
}

TEST_F(StsServiceTest, TwelveDigitKeyIsAccount) {
  Reply reply = Call("GetCallerIdentity", Document::object(), "123456789012");
  ASSERT_TRUE(reply.is_document());
  EXPECT_EQ(reply.document()["Account"], "123456789012");
  EXPECT_EQ(reply.document()["Arn"], "arn:aws:iam::123456789012:root");
}

TEST_F(StsServiceTest, AssumeRoleIssuesTemporaryCredentials) {
  int64_t before = clock_.NowMillis() / 1000;
  Document output = AssumeRole();
  const Document& credentials = output["Credentials"];
  std::string key = credentials["AccessKeyId"];
  ASSERT_EQ(key.size(), 20u);
  EXPECT_TRUE(key.starts_with("ASIA"));
  for (char c : key) EXPECT_TRUE(std::isupper(c) || std::isdigit(c)) << key;
  EXPECT_EQ(credentials["SecretAccessKey"].get<std::string>().size(), 40u);
  EXPECT_FALSE(credentials["SessionToken"].get<std::string>().empty());
  int64_t expiration = credentials["Expiration"];
  EXPECT_GE(expiration, before + 3600);
  EXPECT_LE(expiration, before + 3601);

  std::string role_id = output["AssumedRoleUser"]["AssumedRoleId"];
  EXPECT_TRUE(role_id.starts_with("AROA"));
  EXPECT_TRUE(role_id.ends_with(":build-1"));
  EXPECT_EQ(output["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::111122223333:assumed-role/deployer/build-1");
  EXPECT_FALSE(output.contains("PackedPolicySize"));

  std::optional<platform::Credential> stored = credentials_.Find(key);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->secret_access_key, credentials["SecretAccessKey"]);
  EXPECT_EQ(stored->account_id, "111122223333");
  EXPECT_EQ(stored->expiration_ms / 1000, expiration);
}

TEST_F(StsServiceTest, SameRoleKeepsRoleId) {
  std::string first = AssumeRole()["AssumedRoleUser"]["AssumedRoleId"];
  std::string second = AssumeRole()["AssumedRoleUser"]["AssumedRoleId"];
  EXPECT_EQ(first, second);
}

TEST_F(StsServiceTest, AssumedRoleCallerIdentity) {
  Document output = AssumeRole();
  Reply reply = Call("GetCallerIdentity", Document::object(),
                     output["Credentials"]["AccessKeyId"]);
  ASSERT_TRUE(reply.is_document());
  EXPECT_EQ(reply.document()["Account"], "111122223333");
  EXPECT_EQ(reply.document()["Arn"], output["AssumedRoleUser"]["Arn"]);
  EXPECT_EQ(reply.document()["UserId"],
            output["AssumedRoleUser"]["AssumedRoleId"]);
}

TEST_F(StsServiceTest, AssumeRoleRejectsBadRoleArn) {
  Reply reply = Call("AssumeRole", {{"RoleArn", "arn:aws:s3:::bucket-name-here"},
                                    {"RoleSessionName", "s1"}});
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "ValidationError");
  EXPECT_EQ(reply.error().message, "arn:aws:s3:::bucket-name-here is invalid");
  EXPECT_EQ(reply.error().http_status, 400);
}

TEST_F(StsServiceTest, AssumeRoleRejectsBadSessionName) {
  Reply reply = Call("AssumeRole",
                     {{"RoleArn", kRoleArn}, {"RoleSessionName", "has space"}});
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "ValidationError");
  EXPECT_EQ(reply.error().message,
            "1 validation error detected: Value 'has space' at "
            "'roleSessionName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [\\w+=,.@-]*");
}

TEST_F(StsServiceTest, AssumeRoleRejectsLongDuration) {
  Reply reply = Call("AssumeRole", {{"RoleArn", kRoleArn},
                                    {"RoleSessionName", "s1"},
                                    {"DurationSeconds", 50000}});
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "ValidationError");
  EXPECT_NE(reply.error().message.find("less than or equal to 43200"),
            std::string::npos);
}

TEST_F(StsServiceTest, AssumeRoleRejectsMalformedPolicy) {
  Reply reply = Call("AssumeRole", {{"RoleArn", kRoleArn},
                                    {"RoleSessionName", "s1"},
                                    {"Policy", "{not json"}});
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "MalformedPolicyDocumentException");
}

TEST_F(StsServiceTest, AssumeRoleReportsPackedPolicySize) {
  Document output = AssumeRole(
      {{"Policy",
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"},
       {"Tags", {{{"Key", "team"}, {"Value", "core"}}}},
       {"TransitiveTagKeys", {"team"}},
       {"SourceIdentity", "alice"}});
  ASSERT_TRUE(output.contains("PackedPolicySize"));
  EXPECT_GT(output["PackedPolicySize"].get<int>(), 0);
  EXPECT_LE(output["PackedPolicySize"].get<int>(), 100);
  EXPECT_EQ(output["SourceIdentity"], "alice");
}

TEST_F(StsServiceTest, TransitiveKeyMustNameTag) {
  Reply reply = Call("AssumeRole", {{"RoleArn", kRoleArn},
                                    {"RoleSessionName", "s1"},
                                    {"TransitiveTagKeys", {"missing"}}});
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "InvalidParameterValue");
}

TEST_F(StsServiceTest, RoleChainingLimitedToOneHour) {
  std::string key = AssumeRole()["Credentials"]["AccessKeyId"];
  Reply reply = Call("AssumeRole",
                     {{"RoleArn", kRoleArn},
                      {"RoleSessionName", "chained"},
                      {"DurationSeconds", 7200}},
                     key);
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "ValidationError");

  Document chained = AssumeRole({{"RoleSessionName", "chained"}}, key);
  EXPECT_EQ(chained["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::111122223333:assumed-role/deployer/chained");
}

TEST_F(StsServiceTest, CredentialsSurviveRestart) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("brume-sts-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string key;
  std::string arn;
  {
    auto storage = platform::Storage::OpenSqlite(dir.string());
    ASSERT_TRUE(storage.ok()) << storage.status().message();
    storage_ = std::move(storage.value());
    Start();
    Document output = AssumeRole();
    key = output["Credentials"]["AccessKeyId"];
    arn = output["AssumedRoleUser"]["Arn"];
    service_.reset();
    storage_.reset();
  }
  credentials_.Clear();
  auto storage = platform::Storage::OpenSqlite(dir.string());
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  storage_ = std::move(storage.value());
  Start();

  std::optional<platform::Credential> reloaded = credentials_.Find(key);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ(reloaded->arn, arn);
  Reply reply = Call("GetCallerIdentity", Document::object(), key);
  ASSERT_TRUE(reply.is_document());
  EXPECT_EQ(reply.document()["Arn"], arn);
  service_.reset();
  storage_.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(StsServiceTest, RootSessionTokenLastsOneHour) {
  int64_t before = clock_.NowMillis() / 1000;
  Reply reply = Call("GetSessionToken", Document::object());
  ASSERT_TRUE(reply.is_document());
  int64_t expiration = reply.document()["Credentials"]["Expiration"];
  EXPECT_GE(expiration, before + 3600);
  EXPECT_LE(expiration, before + 3601);

  std::string key = reply.document()["Credentials"]["AccessKeyId"];
  Reply identity = Call("GetCallerIdentity", Document::object(), key);
  ASSERT_TRUE(identity.is_document());
  EXPECT_EQ(identity.document()["Arn"], "arn:aws:iam::000000000000:root");
}

TEST_F(StsServiceTest, UserSessionTokenDefaultsToTwelveHours) {
  credentials_.Put({.access_key_id = "AKIAUSEREXAMPLE00001",
                    .secret_access_key = "secret",
                    .session_token = "",
                    .account_id = "111122223333",
                    .arn = "arn:aws:iam::111122223333:user/alice",
                    .user_id = "AIDAEXAMPLEUSERID0001",
                    .expiration_ms = 0});
  int64_t before = clock_.NowMillis() / 1000;
  Reply reply =
      Call("GetSessionToken", Document::object(), "AKIAUSEREXAMPLE00001");
  ASSERT_TRUE(reply.is_document());
  int64_t expiration = reply.document()["Credentials"]["Expiration"];
  EXPECT_GE(expiration, before + 43200);
  EXPECT_LE(expiration, before + 43201);
}

TEST_F(StsServiceTest, SessionTokenRejectsSessionCredentials) {
  std::string key = AssumeRole()["Credentials"]["AccessKeyId"];
  Reply reply = Call("GetSessionToken", Document::object(), key);
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "AccessDenied");
  EXPECT_EQ(reply.error().http_status, 403);
  Reply federation = Call("GetFederationToken", {{"Name", "bob"}}, key);
  ASSERT_TRUE(federation.is_error());
  EXPECT_EQ(federation.error().code, "AccessDenied");
}

TEST_F(StsServiceTest, FederationTokenNamesFederatedUser) {
  Reply reply = Call("GetFederationToken", {{"Name", "bob"}}, "123456789012");
  ASSERT_TRUE(reply.is_document());
  Document& output = reply.document();
  EXPECT_EQ(output["FederatedUser"]["FederatedUserId"], "123456789012:bob");
  EXPECT_EQ(output["FederatedUser"]["Arn"],
            "arn:aws:sts::123456789012:federated-user/bob");
  std::string key = output["Credentials"]["AccessKeyId"];
  Reply identity = Call("GetCallerIdentity", Document::object(), key);
  ASSERT_TRUE(identity.is_document());
  EXPECT_EQ(identity.document()["Arn"],
            "arn:aws:sts::123456789012:federated-user/bob");
  EXPECT_EQ(identity.document()["UserId"], "123456789012:bob");
}

TEST_F(StsServiceTest, AccessKeyInfoReturnsAccount) {
  std::string key = AssumeRole()["Credentials"]["AccessKeyId"];
  Reply issued = Call("GetAccessKeyInfo", {{"AccessKeyId", key}});
  ASSERT_TRUE(issued.is_document());
  EXPECT_EQ(issued.document()["Account"], "111122223333");
  Reply unknown =
      Call("GetAccessKeyInfo", {{"AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}});
  ASSERT_TRUE(unknown.is_document());
  EXPECT_EQ(unknown.document()["Account"], "000000000000");
}

TEST_F(StsServiceTest, DecodesBrumeAuthorizationMessage) {
  Document message = {{"allowed", false}, {"context", {{"action", "s3:Get"}}}};
  Reply reply = Call("DecodeAuthorizationMessage",
                     {{"EncodedMessage", platform::Base64Encode(message.dump())}});
  ASSERT_TRUE(reply.is_document());
  EXPECT_EQ(Document::parse(reply.document()["DecodedMessage"].get<std::string>()),
            message);

  Reply invalid =
      Call("DecodeAuthorizationMessage", {{"EncodedMessage", "not-a-message"}});
  ASSERT_TRUE(invalid.is_error());
  EXPECT_EQ(invalid.error().code, "InvalidAuthorizationMessageException");
}

TEST_F(StsServiceTest, WebIdentityReturnsTokenClaims) {
  int64_t now = clock_.NowMillis() / 1000;
  std::string token = MakeJwt({{"iss", "https://issuer.example.com"},
                               {"sub", "user-123"},
                               {"aud", {"client-a", "client-b"}},
                               {"exp", now + 600}});
  Reply reply = Call("AssumeRoleWithWebIdentity",
                     {{"RoleArn", kRoleArn},
                      {"RoleSessionName", "web"},
                      {"WebIdentityToken", token}},
                     "");
  ASSERT_TRUE(reply.is_document())
      << (reply.is_error() ? reply.error().message : "");
  Document& output = reply.document();
  EXPECT_EQ(output["SubjectFromWebIdentityToken"], "user-123");
  EXPECT_EQ(output["Provider"], "https://issuer.example.com");
  EXPECT_EQ(output["Audience"], "client-a");
  EXPECT_EQ(output["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::111122223333:assumed-role/deployer/web");
}

TEST_F(StsServiceTest, WebIdentityRejectsBadTokens) {
  Reply not_jwt = Call("AssumeRoleWithWebIdentity",
                       {{"RoleArn", kRoleArn},
                        {"RoleSessionName", "web"},
                        {"WebIdentityToken", "opaque-token"}},
                       "");
  ASSERT_TRUE(not_jwt.is_error());
  EXPECT_EQ(not_jwt.error().code, "InvalidIdentityTokenException");

  int64_t now = clock_.NowMillis() / 1000;
  Reply expired = Call(
      "AssumeRoleWithWebIdentity",
      {{"RoleArn", kRoleArn},
       {"RoleSessionName", "web"},
       {"WebIdentityToken", MakeJwt({{"sub", "u"}, {"exp", now - 10}})}},
      "");
  ASSERT_TRUE(expired.is_error());
  EXPECT_EQ(expired.error().code, "ExpiredTokenException");
  EXPECT_TRUE(expired.error().message.starts_with("Token expired: current "
                                                  "date/time "));

  Reply bad_arn = Call("AssumeRoleWithWebIdentity",
                       {{"RoleArn", "arn:aws:iam::111122223333:oidc-provider/x"},
                        {"RoleSessionName", "web"},
                        {"WebIdentityToken", MakeJwt({{"sub", "u"}})}},
                       "");
  ASSERT_TRUE(bad_arn.is_error());
  EXPECT_EQ(bad_arn.error().message, "Request ARN is invalid");
}

TEST_F(StsServiceTest, SamlReturnsAssertionFields) {
  std::string pair = std::string(kRoleArn) + "," + kSamlProviderArn;
  Reply reply = Call("AssumeRoleWithSAML",
                     {{"RoleArn", kRoleArn},
                      {"PrincipalArn", kSamlProviderArn},
                      {"SAMLAssertion",
                       SamlResponse("alice", "2999-01-01T00:00:00Z", pair)}},
                     "");
  ASSERT_TRUE(reply.is_document())
      << (reply.is_error() ? reply.error().message : "");
  Document& output = reply.document();
  EXPECT_EQ(output["Subject"], "alice@example.com");
  EXPECT_EQ(output["SubjectType"], "transient");
  EXPECT_EQ(output["Issuer"], "https://idp.example.com/saml");
  EXPECT_EQ(output["Audience"], "https://signin.aws.amazon.com/saml");
  EXPECT_EQ(output["NameQualifier"],
            SamlNameQualifier("https://idp.example.com/saml", "111122223333",
                              "Corp"));
  EXPECT_EQ(output["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::111122223333:assumed-role/deployer/alice");
}

TEST_F(StsServiceTest, SamlRejectsUnlistedRoleAndExpiry) {
  Reply unlisted = Call(
      "AssumeRoleWithSAML",
      {{"RoleArn", kRoleArn},
       {"PrincipalArn", kSamlProviderArn},
       {"SAMLAssertion",
        SamlResponse("alice", "2999-01-01T00:00:00Z",
                     "arn:aws:iam::111122223333:role/other,arn:aws:iam::"
                     "111122223333:saml-provider/Corp")}},
      "");
  ASSERT_TRUE(unlisted.is_error());
  EXPECT_EQ(unlisted.error().code, "AccessDenied");

  std::string pair = std::string(kRoleArn) + "," + kSamlProviderArn;
  Reply expired = Call("AssumeRoleWithSAML",
                       {{"RoleArn", kRoleArn},
                        {"PrincipalArn", kSamlProviderArn},
                        {"SAMLAssertion",
                         SamlResponse("alice", "2001-01-01T00:00:00Z", pair)}},
                       "");
  ASSERT_TRUE(expired.is_error());
  EXPECT_EQ(expired.error().code, "ExpiredTokenException");
}

TEST_F(StsServiceTest, SamlNameQualifierMatchesAwsFormula) {
  // base64(sha1("https://example.com/saml" + "123456789012" + "/MySAMLIdP")),
  // the formula of the AssumeRoleWithSAML API reference, computed with
  // Python's hashlib.
  EXPECT_EQ(SamlNameQualifier("https://example.com/saml", "123456789012",
                              "MySAMLIdP"),
            "1uAJanUnBc2XeUkHURMht+xam2c=");
  EXPECT_EQ(SamlSubjectType("urn:oasis:names:tc:SAML:2.0:nameid-format:"
                            "persistent"),
            "persistent");
  EXPECT_EQ(SamlSubjectType("urn:example:custom"), "urn:example:custom");
}

TEST_F(StsServiceTest, AssumeRootIssuesRootCredentials) {
  Reply reply = Call(
      "AssumeRoot",
      {{"TargetPrincipal", "444455556666"},
       {"TaskPolicyArn",
        {{"arn", "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}}}});
  ASSERT_TRUE(reply.is_document())
      << (reply.is_error() ? reply.error().message : "");
  std::string key = reply.document()["Credentials"]["AccessKeyId"];
  Reply identity = Call("GetCallerIdentity", Document::object(), key);
  ASSERT_TRUE(identity.is_document());
  EXPECT_EQ(identity.document()["Arn"], "arn:aws:iam::444455556666:root");

  Reply bad_policy =
      Call("AssumeRoot",
           {{"TargetPrincipal", "444455556666"},
            {"TaskPolicyArn", {{"arn", "arn:aws:iam::aws:policy/Admin"}}}});
  ASSERT_TRUE(bad_policy.is_error());
  EXPECT_EQ(bad_policy.error().code, "ValidationError");
}

TEST(FederationTest, JwtWithoutSubjectRejected) {
  Result<WebIdentityClaims> no_subject =
      ParseWebIdentityToken(MakeJwt({{"iss", "https://issuer"}}), 1000);
  ASSERT_FALSE(no_subject.ok());
  EXPECT_EQ(no_subject.error().code, "InvalidIdentityTokenException");

  Result<WebIdentityClaims> bad_payload =
      ParseWebIdentityToken("eyJhbGciOiJSUzI1NiJ9.!!!.sig", 1000);
  ASSERT_FALSE(bad_payload.ok());
  EXPECT_EQ(bad_payload.error().code, "InvalidIdentityTokenException");

  Result<WebIdentityClaims> not_json =
      ParseWebIdentityToken("eyJhbGciOiJSUzI1NiJ9." + Base64Url("[1,2]") + ".sig",
                            1000);
  ASSERT_FALSE(not_json.ok());
}

TEST(FederationTest, JwtExpiryComparedWithNow) {
  Result<WebIdentityClaims> valid =
      ParseWebIdentityToken(MakeJwt({{"sub", "u"}, {"exp", 2000}}), 1999);
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(valid.value().expires_at, 2000);

  Result<WebIdentityClaims> expired =
      ParseWebIdentityToken(MakeJwt({{"sub", "u"}, {"exp", 2000}}), 2000);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "ExpiredTokenException");
  EXPECT_EQ(expired.error().message,
            "Token expired: current date/time 2000 must be before the "
            "expiration date/time 2000");
}

TEST(FederationTest, SamlWithDefaultNamespace) {
  std::string xml = R"(<Response xmlns="urn:oasis:names:tc:SAML:2.0:protocol">
  <Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion">
    <Issuer>https://idp.example.org</Issuer>
    <Subject><NameID Format="urn:example:format">bob</NameID></Subject>
    <AttributeStatement>
      <Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <AttributeValue> bob-session </AttributeValue>
      </Attribute>
      <Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration">
        <AttributeValue>not-a-number</AttributeValue>
      </Attribute>
    </AttributeStatement>
  </Assertion>
</Response>)";
  Result<SamlAssertion> assertion =
      ParseSamlAssertion(platform::Base64Encode(xml), 1000);
  ASSERT_TRUE(assertion.ok()) << assertion.error().message;
  EXPECT_EQ(assertion.value().issuer, "https://idp.example.org");
  EXPECT_EQ(assertion.value().subject, "bob");
  EXPECT_EQ(assertion.value().subject_format, "urn:example:format");
  EXPECT_EQ(assertion.value().role_session_name, "bob-session");
  EXPECT_FALSE(assertion.value().session_duration.has_value());
  EXPECT_TRUE(assertion.value().roles.empty());
}

TEST(FederationTest, SamlWithoutSessionNameRejected) {
  std::string xml = R"(<Response><Assertion><Issuer>i</Issuer>
    <Subject><NameID>bob</NameID></Subject></Assertion></Response>)";
  Result<SamlAssertion> assertion =
      ParseSamlAssertion(platform::Base64Encode(xml), 1000);
  ASSERT_FALSE(assertion.ok());
  EXPECT_EQ(assertion.error().code, "InvalidIdentityTokenException");

  Result<SamlAssertion> not_base64 = ParseSamlAssertion("%%%", 1000);
  ASSERT_FALSE(not_base64.ok());
  EXPECT_EQ(not_base64.error().code, "InvalidIdentityTokenException");
}

TEST(SessionStoreTest, SerializedSessionRoundTrips) {
  Session session;
  session.kind = SessionKind::kFederatedUser;
  session.source_identity = "alice";
  session.credential = {.access_key_id = "ASIAEXAMPLE000000001",
                        .secret_access_key = "secret",
                        .session_token = "token",
                        .account_id = "111122223333",
                        .arn = "arn:aws:sts::111122223333:federated-user/bob",
                        .user_id = "111122223333:bob",
                        .expiration_ms = 1234567890123};
  std::optional<Session> parsed = ParseSession(SerializeSession(session));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, SessionKind::kFederatedUser);
  EXPECT_EQ(parsed->source_identity, "alice");
  EXPECT_EQ(parsed->credential.access_key_id, "ASIAEXAMPLE000000001");
  EXPECT_EQ(parsed->credential.expiration_ms, 1234567890123);
  EXPECT_FALSE(ParseSession("{\"kind\":\"root\"}").has_value());
  EXPECT_FALSE(ParseSession("not json").has_value());
}

TEST(ValidationTest, ParsesRoleArns) {
  std::optional<IamArn> arn =
      ParseIamArn("arn:aws-cn:iam::111122223333:role/a/b/name", "role");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->partition, "aws-cn");
  EXPECT_EQ(arn->account_id, "111122223333");
  EXPECT_EQ(arn->name, "name");
  EXPECT_FALSE(ParseIamArn("arn:aws:iam::12345:role/x", "role"));
  EXPECT_FALSE(ParseIamArn("arn:aws:iam:us-east-1:111122223333:role/x", "role"));
  EXPECT_FALSE(ParseIamArn("arn:aws:iam::111122223333:user/x", "role"));
  EXPECT_FALSE(ParseIamArn("arn:aws:iam::111122223333:role/", "role"));
  EXPECT_FALSE(ParseIamArn("arn:aws:iam::111122223333:roles/x", "role"));
}

}  // namespace
}  // namespace brume::sts
