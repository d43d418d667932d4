#pragma once

// Identifiers and ARNs in AWS formats. Ids come from a fast per-thread PRNG
// seeded from std::random_device, because they only need to be unique;
// RandomSecret draws from OpenSSL's CSPRNG for values that must stay secret.

#include <string>
#include <string_view>

namespace brume::platform {

// Lower-case UUID version 4, e.g. "8f1c...-4...", the request id format of
// most AWS services (x-amzn-RequestId).
std::string NewUuid();

// S3's x-amz-request-id: 16 upper-case hex characters.
std::string NewS3RequestId();

// S3's x-amz-id-2 (extended request id): base64 of random bytes.
std::string NewS3HostId();

// `length` random characters from [A-Z0-9] (access key id tails, role ids).
std::string RandomUpperAlnum(size_t length);

// `length` random characters from [A-Za-z0-9].
std::string RandomAlnum(size_t length);

// `length` random lower-case hex digits.
std::string RandomHex(size_t length);

// `count` random bytes.
std::string RandomBytes(size_t count);

// `length` characters from [A-Za-z0-9+/] drawn from OpenSSL RAND_bytes, for
// secrets such as STS secret access keys (40 characters). Throws
// std::runtime_error if the CSPRNG fails.
std::string RandomSecret(size_t length);

// "arn:<partition>:<service>:<region>:<account>:<resource>", the partition
// taken from the region; region and account may be empty (IAM, S3 buckets).
std::string MakeArn(std::string_view service, std::string_view region,
                    std::string_view account, std::string_view resource);

// Partition of a region, from the region prefixes of botocore's
// partitions.json: "aws-cn" (cn-*), "aws-us-gov" (us-gov-*), "aws-iso"
// (us-iso-*), "aws-iso-b" (us-isob-*), "aws-iso-e" (eu-isoe-*), "aws-iso-f"
// (us-isof-*), "aws-eusc" (eusc-*), and "aws" for any other or empty region.
std::string_view PartitionOf(std::string_view region);

}  // namespace brume::platform
