#include "services/s3/acl.h"

#include <algorithm>
#include <string>
#include <utility>

#include "platform/strings.h"
#include "services/s3/access.h"
#include "services/s3/errors.h"
#include "services/s3/state.h"

namespace brume::s3 {
namespace {

constexpr std::string_view kAllUsers =
    "http://acs.amazonaws.com/groups/global/AllUsers";
constexpr std::string_view kAuthenticatedUsers =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
constexpr std::string_view kLogDelivery =
    "http://acs.amazonaws.com/groups/s3/LogDelivery";

Document OwnerGrantee(std::string_view account) {
  Document grantee = OwnerDocument(account);
  grantee["Type"] = "CanonicalUser";
  return grantee;
}

Document GroupGrant(std::string_view uri, std::string_view permission) {
  return Document{{"Grantee", {{"Type", "Group"}, {"URI", std::string(uri)}}},
                  {"Permission", std::string(permission)}};
}

Result<Document> CannedGrants(std::string_view canned,
                              std::string_view owner_account,
                              std::string_view bucket_owner) {
  // S3 lists the group grants of a canned ACL before the owner's grant.
  Document grants = Document::array();
  bool bucket_owner_read = false;
  bool bucket_owner_full_control = false;
  if (canned == "private" || canned == "aws-exec-read") {
  } else if (canned == "bucket-owner-read") {
    bucket_owner_read = true;
  } else if (canned == "bucket-owner-full-control") {
    bucket_owner_full_control = true;
  } else if (canned == "public-read") {
    grants.push_back(GroupGrant(kAllUsers, "READ"));
  } else if (canned == "public-read-write") {
    grants.push_back(GroupGrant(kAllUsers, "READ"));
    grants.push_back(GroupGrant(kAllUsers, "WRITE"));
  } else if (canned == "authenticated-read") {
    grants.push_back(GroupGrant(kAuthenticatedUsers, "READ"));
  } else if (canned == "log-delivery-write") {
    grants.push_back(GroupGrant(kLogDelivery, "WRITE"));
    grants.push_back(GroupGrant(kLogDelivery, "READ_ACP"));
  } else {
    return InvalidArgument("", "x-amz-acl", canned);
  }
  grants.push_back(Document{{"Grantee", OwnerGrantee(owner_account)},
                            {"Permission", "FULL_CONTROL"}});
  // The bucket-owner-* ACLs add a grant only for an object another account
  // owns.
  if ((bucket_owner_read || bucket_owner_full_control) &&
      !bucket_owner.empty() && bucket_owner != owner_account) {
    grants.push_back(
        Document{{"Grantee", OwnerGrantee(bucket_owner)},
                 {"Permission", bucket_owner_read ? "READ" : "FULL_CONTROL"}});
  }
  return grants;
}

// S3 returns the group grants of an ACL before the grants to accounts.
void PutGroupGrantsFirst(Document& grants) {
  std::stable_partition(grants.begin(), grants.end(), [](const Document& grant) {
    return grant.value("Grantee", Document::object()).value("Type", "") ==
           "Group";
  });
}

// S3 shows an account's display name beside its canonical id in grants.
void FillDisplayName(Document& grantee) {
  if (grantee.value("Type", "") != "CanonicalUser" ||
      grantee.contains("DisplayName")) {
    return;
  }
  std::optional<std::string> account =
      KnownAccountForCanonicalId(grantee.value("ID", ""));
  if (account.has_value()) grantee["DisplayName"] = *account;
}

// Parses one x-amz-grant-* header value: comma-separated grantees such as
// id="...", uri="...", emailAddress="...".
Result<Document> GrantsFromHeader(std::string_view header,
                                  std::string_view permission) {
  Document grants = Document::array();
  size_t start = 0;
  while (start < header.size()) {
    size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = platform::Trim(header.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return InvalidArgument("Invalid grant header value", "x-amz-grant",
                             header);
    }
    std::string type = platform::ToLower(platform::Trim(item.substr(0, equals)));
    std::string_view value = platform::Trim(item.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    Document grantee;
    if (type == "id") {
      grantee = {{"Type", "CanonicalUser"}, {"ID", std::string(value)}};
    } else if (type == "uri") {
      grantee = {{"Type", "Group"}, {"URI", std::string(value)}};
    } else if (type == "emailaddress") {
      grantee = {{"Type", "AmazonCustomerByEmail"},
                 {"EmailAddress", std::string(value)}};
    } else {
      return InvalidArgument("Argument format not recognized", "x-amz-grant",
                             header);
    }
    FillDisplayName(grantee);
    grants.push_back(
        Document{{"Grantee", grantee}, {"Permission", std::string(permission)}});
  }
  return grants;
}

}  // namespace

Document DefaultAcl(std::string_view owner_account) {
  Document acl;
  acl["Owner"] = OwnerDocument(owner_account);
  acl["Grants"] = CannedGrants("private", owner_account, "").value();
  return acl;
}

Result<std::optional<Document>> AclFromInput(const Document& input,
                                             std::string_view owner_account,
                                             std::string_view bucket_owner) {
  static const std::pair<const char*, const char*> kGrantMembers[] = {
      {"GrantFullControl", "FULL_CONTROL"},
      {"GrantRead", "READ"},
      {"GrantReadACP", "READ_ACP"},
      {"GrantWrite", "WRITE"},
      {"GrantWriteACP", "WRITE_ACP"},
  };
  std::string canned = InputString(input, "ACL");
  Document grants = Document::array();
  bool has_grant_headers = false;
  for (const auto& [member, permission] : kGrantMembers) {
    std::string header = InputString(input, member);
    if (header.empty()) continue;
    has_grant_headers = true;
    Result<Document> parsed = GrantsFromHeader(header, permission);
    if (!parsed.ok()) return parsed.error();
    for (Document& grant : parsed.value()) grants.push_back(std::move(grant));
  }
  bool has_policy = input.contains("AccessControlPolicy");
  if (!canned.empty() && (has_grant_headers || has_policy)) {
    return InvalidRequest(
        "Specifying both Canned ACLs and Header Grants is not allowed");
  }

  Document acl;
  acl["Owner"] = OwnerDocument(owner_account);
  if (!canned.empty()) {
    Result<Document> canned_grants =
        CannedGrants(canned, owner_account, bucket_owner);
    if (!canned_grants.ok()) return canned_grants.error();
    acl["Grants"] = std::move(canned_grants.value());
    return std::optional<Document>(std::move(acl));
  }
  if (has_grant_headers) {
    PutGroupGrantsFirst(grants);
    acl["Grants"] = std::move(grants);
    return std::optional<Document>(std::move(acl));
  }
  if (has_policy) {
    const Document& policy = input["AccessControlPolicy"];
    if (policy.contains("Owner")) acl["Owner"] = policy["Owner"];
    acl["Grants"] = policy.value("Grants", Document::array());
    for (Document& grant : acl["Grants"]) {
      if (grant.contains("Grantee")) FillDisplayName(grant["Grantee"]);
    }
    if (acl["Grants"].is_array()) PutGroupGrantsFirst(acl["Grants"]);
    return std::optional<Document>(std::move(acl));
  }
  return std::optional<Document>();
}

}  // namespace brume::s3
