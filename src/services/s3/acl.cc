#include "services/s3/acl.h"

#include <string>
#include <utility>

#include "platform/strings.h"
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
                              std::string_view owner_account) {
  // S3 lists the group grants of a canned ACL before the owner's grant.
  Document grants = Document::array();
  if (canned == "private" || canned == "bucket-owner-read" ||
      canned == "bucket-owner-full-control" || canned == "aws-exec-read") {
    // The bucket owner is the object owner in brume (one account per
    // bucket), so the bucket-owner-* ACLs add no grant.
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
  return grants;
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
    grants.push_back(
        Document{{"Grantee", grantee}, {"Permission", std::string(permission)}});
  }
  return grants;
}

}  // namespace

Document DefaultAcl(std::string_view owner_account) {
  Document acl;
  acl["Owner"] = OwnerDocument(owner_account);
  acl["Grants"] = CannedGrants("private", owner_account).value();
  return acl;
}

Result<std::optional<Document>> AclFromInput(const Document& input,
                                             std::string_view owner_account) {
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
    Result<Document> canned_grants = CannedGrants(canned, owner_account);
    if (!canned_grants.ok()) return canned_grants.error();
    acl["Grants"] = std::move(canned_grants.value());
    return std::optional<Document>(std::move(acl));
  }
  if (has_grant_headers) {
    acl["Grants"] = std::move(grants);
    return std::optional<Document>(std::move(acl));
  }
  if (has_policy) {
    const Document& policy = input["AccessControlPolicy"];
    if (policy.contains("Owner")) acl["Owner"] = policy["Owner"];
    acl["Grants"] = policy.value("Grants", Document::array());
    for (Document& grant : acl["Grants"]) {
      if (grant.contains("Grantee") &&
          grant["Grantee"].value("Type", "") == "CanonicalUser" &&
          !grant["Grantee"].contains("DisplayName")) {
        grant["Grantee"]["DisplayName"] = std::string(owner_account);
      }
    }
    return std::optional<Document>(std::move(acl));
  }
  return std::optional<Document>();
}

}  // namespace brume::s3
