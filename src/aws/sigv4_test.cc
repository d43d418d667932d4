#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "platform/crypto.h"
#include "platform/strings.h"

namespace brume::aws {
namespace {

// Request fields are assigned std::string values rather than literals
// because GCC 12 reports a false -Wrestrict warning for
// std::string::operator=(const char*) once inlined.

// Credentials, time and scope of the SigV4 test suite that AWS published in
// its General Reference ("Signature Version 4 test suite"). The cases below
// are transcribed from the copy in the aws-c-auth repository
// (tests/aws-signing-test-suite/v4).
constexpr std::string_view kSuiteAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSuiteSecret =
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kSuiteAmzDate = "20150830T123600Z";
constexpr int64_t kSuiteNowMs = 1440938160000;  // 2015-08-30T12:36:00Z

struct SuiteCase {
  std::string name;
  std::string method;
  std::string path;  // as the suite writes it, not percent-encoded
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool normalize;  // the case's context.json "normalize"
  std::string canonical_request;
  std::string signature;
};

const std::vector<SuiteCase>& SuiteCases() {
  static const std::vector<SuiteCase> cases = {
      {"get-vanilla",
       "GET",
       "/",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case",
       "GET",
       "/",
       "Param2=value2&Param1=value1",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "Param1=value1&Param2=value2\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-encoded",
       "GET",
       "/",
       "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"},
      {"get-vanilla-query-unreserved",
       "GET",
       "/",
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~"
       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query",
       "GET",
       "/",
       "\xE1\x88\xB4=bar",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "%E1%88%B4=bar\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-vanilla-empty-query-key",
       "GET",
       "/",
       "Param1=value1",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "Param1=value1\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-header-key-duplicate",
       "GET",
       "/",
       "",
       {{"Host", "example.amazonaws.com"},
        {"My-Header1", "value2"},
        {"My-Header1", "value2"},
        {"My-Header1", "value1"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "my-header1:value2,value2,value1\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;my-header1;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order",
       "GET",
       "/",
       "",
       {{"Host", "example.amazonaws.com"},
        {"My-Header1", "value4"},
        {"My-Header1", "value1"},
        {"My-Header1", "value3"},
        {"My-Header1", "value2"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "my-header1:value4,value1,value3,value2\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;my-header1;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim",
       "GET",
       "/",
       "",
       {{"Host", "example.amazonaws.com"},
        {"My-Header1", " value1"},
        {"My-Header2", " \"a   b   c\""}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "my-header1:value1\n"
       "my-header2:\"a b c\"\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;my-header1;my-header2;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-header-value-multiline",
       "GET",
       "/",
       "",
       {{"Host", "example.amazonaws.com"},
        {"My-Header1", "value1\n  value2\n     value3"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "my-header1:value1 value2 value3\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;my-header1;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"},
      {"get-relative-normalized",
       "GET",
       "/example/..",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-relative-unnormalized",
       "GET",
       "/example/..",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "/example/..\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282"},
      {"get-relative-relative-normalized",
       "GET",
       "/example1/example2/../..",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-relative-relative-unnormalized",
       "GET",
       "/example1/example2/../..",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "/example1/example2/../..\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b"},
      {"get-slash-dot-slash-normalized",
       "GET",
       "/./",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-dot-slash-unnormalized",
       "GET",
       "/./",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "/./\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145"},
      {"get-slash-pointless-dot-normalized",
       "GET",
       "/./example",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/example\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
      {"get-slash-pointless-dot-unnormalized",
       "GET",
       "/./example",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "/./example\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff"},
      {"get-slash-normalized",
       "GET",
       "//",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-unnormalized",
       "GET",
       "//",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "//\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e"},
      {"get-slashes-normalized",
       "GET",
       "//example//",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/example/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
      {"get-slashes-unnormalized",
       "GET",
       "//example//",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "//example//\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"},
      {"get-space-normalized",
       "GET",
       "/example space/",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/example%20space/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-space-unnormalized",
       "GET",
       "/example space/",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       false,
       "GET\n"
       "/example%20space/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-unreserved",
       "GET",
       "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8",
       "GET",
       "/\xE1\x88\xB4",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "GET\n"
       "/%E1%88%B4\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-vanilla-with-session-token",
       "GET",
       "/",
       "",
       {{"Host", "example.amazonaws.com"},
        {"X-Amz-Security-Token",
         "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"}},
       "",
       true,
       "GET\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "x-amz-security-token:"
       "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n"
       "\n"
       "host;x-amz-date;x-amz-security-token\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
      {"post-header-key-case",
       "POST",
       "/",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "POST\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-header-key-sort",
       "POST",
       "/",
       "",
       {{"Host", "example.amazonaws.com"}, {"My-Header1", "value1"}},
       "",
       true,
       "POST\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "my-header1:value1\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;my-header1;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case",
       "POST",
       "/",
       "",
       {{"Host", "example.amazonaws.com"}, {"My-Header1", "VALUE1"}},
       "",
       true,
       "POST\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "my-header1:VALUE1\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;my-header1;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-sts-header-before",
       "POST",
       "/",
       "",
       {{"Host", "example.amazonaws.com"},
        {"X-Amz-Security-Token",
         "AQoDYXdzEPT//////////"
         "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfp"
         "SPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/"
         "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp7"
         "5YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+"
         "xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
         "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/"
         "oLxBA=="}},
       "",
       true,
       "POST\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "x-amz-security-token:AQoDYXdzEPT//////////"
       "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP"
       "fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/"
       "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75Y"
       "U9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
       "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==\n"
       "\n"
       "host;x-amz-date;x-amz-security-token\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
      {"post-vanilla",
       "POST",
       "/",
       "",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "POST\n"
       "/\n"
       "\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query",
       "POST",
       "/",
       "Param1=value1",
       {{"Host", "example.amazonaws.com"}},
       "",
       true,
       "POST\n"
       "/\n"
       "Param1=value1\n"
       "host:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "host;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-x-www-form-urlencoded",
       "POST",
       "/",
       "",
       {{"Content-Type", "application/x-www-form-urlencoded"},
        {"Host", "example.amazonaws.com"},
        {"Content-Length", "13"},
        {"x-amz-content-sha256",
         "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"}},
       "Param1=value1",
       true,
       "POST\n"
       "/\n"
       "\n"
       "content-length:13\n"
       "content-type:application/x-www-form-urlencoded\n"
       "host:example.amazonaws.com\n"
       "x-amz-content-sha256:"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"},
      {"post-x-www-form-urlencoded-parameters",
       "POST",
       "/",
       "",
       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"Host", "example.amazonaws.com"},
        {"Content-Length", "13"},
        {"x-amz-content-sha256",
         "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"}},
       "Param1=value1",
       true,
       "POST\n"
       "/\n"
       "\n"
       "content-length:13\n"
       "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
       "host:example.amazonaws.com\n"
       "x-amz-content-sha256:"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
       "x-amz-date:20150830T123600Z\n"
       "\n"
       "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"},
  };
  return cases;
}

HttpRequest SuiteRequest(const SuiteCase& suite_case) {
  HttpRequest request;
  request.method = suite_case.method;
  request.path = suite_case.path;
  request.query = suite_case.query;
  request.target = suite_case.query.empty()
                       ? suite_case.path
                       : suite_case.path + "?" + suite_case.query;
  for (const auto& [name, value] : suite_case.headers) {
    request.headers.Add(name, value);
  }
  request.body.data = suite_case.body;
  request.body.size = suite_case.body.size();
  return request;
}

std::vector<std::string> AllHeaderNames(const Headers& headers) {
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    names.push_back(platform::ToLower(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// The signed-headers line of a canonical request.
std::string SignedHeadersLine(const std::string& canonical_request) {
  size_t end = canonical_request.rfind('\n');
  size_t start = canonical_request.rfind('\n', end - 1) + 1;
  return canonical_request.substr(start, end - start);
}

// Selects the cases that a verifier for a non-S3 service reproduces: their
// paths need no percent-encoding, so encoding twice changes nothing, and
// they expect normalised paths as non-S3 services use.
bool VerifiableAsNonS3(const SuiteCase& suite_case) {
  bool plain =
      std::all_of(suite_case.path.begin(), suite_case.path.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' ||
               c == '.' || c == '-' || c == '_' || c == '~';
      });
  return plain && suite_case.normalize;
}

TEST(SigV4SuiteTest, CanonicalRequestsAndSignatures) {
  const std::string signing_key =
      DeriveSigningKey(kSuiteSecret, "20150830", "us-east-1", "service");
  const std::string scope = CredentialScope("20150830", "us-east-1", "service");
  for (const SuiteCase& suite_case : SuiteCases()) {
    SCOPED_TRACE(suite_case.name);
    HttpRequest request = SuiteRequest(suite_case);
    request.headers.Add("X-Amz-Date", std::string(kSuiteAmzDate));
    std::string payload_hash =
        std::string(request.headers.Get("x-amz-content-sha256")
                        .value_or(platform::Sha256Hex(suite_case.body)));

    std::string canonical = BuildCanonicalRequest(
        request, AllHeaderNames(request.headers), payload_hash,
        CanonicalUriOptions{suite_case.normalize, false}, false);
    EXPECT_EQ(canonical, suite_case.canonical_request);
    EXPECT_EQ(
        ComputeSignature(signing_key,
                         BuildStringToSign(kSuiteAmzDate, scope, canonical)),
        suite_case.signature);
  }
}

TEST(SigV4SuiteTest, StringToSignOfGetVanilla) {
  const SuiteCase& vanilla = SuiteCases().front();
  ASSERT_EQ(vanilla.name, "get-vanilla");
  EXPECT_EQ(BuildStringToSign(kSuiteAmzDate,
                              "20150830/us-east-1/service/aws4_request",
                              vanilla.canonical_request),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n"
            "20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4SuiteTest, SignSigV4ReproducesSuite) {
  int signed_cases = 0;
  for (const SuiteCase& suite_case : SuiteCases()) {
    if (!VerifiableAsNonS3(suite_case)) continue;
    SCOPED_TRACE(suite_case.name);
    HttpRequest request = SuiteRequest(suite_case);
    SignSigV4(request, kSuiteAccessKey, kSuiteSecret, "us-east-1", "service",
              kSuiteNowMs);
    EXPECT_EQ(request.headers.Get("X-Amz-Date"), kSuiteAmzDate);
    EXPECT_EQ(request.headers.Get("Authorization"),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
              "service/aws4_request, SignedHeaders=" +
                  SignedHeadersLine(suite_case.canonical_request) +
                  ", Signature=" + suite_case.signature);
    ++signed_cases;
  }
  EXPECT_GE(signed_cases, 20);
}

TEST(SigV4SuiteTest, VerifyAcceptsSuiteAndRejectsTampering) {
  for (const SuiteCase& suite_case : SuiteCases()) {
    if (!VerifiableAsNonS3(suite_case)) continue;
    SCOPED_TRACE(suite_case.name);
    HttpRequest request = SuiteRequest(suite_case);
    request.headers.Add("X-Amz-Date", std::string(kSuiteAmzDate));
    request.headers.Add(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=" +
            SignedHeadersLine(suite_case.canonical_request) +
            ", Signature=" + suite_case.signature);

    auto parsed = ParseSigV4(request);
    ASSERT_TRUE(parsed.has_value());
    ASSERT_TRUE(parsed->ok()) << parsed->error().message;
    const SigV4Auth& auth = parsed->value();
    EXPECT_EQ(auth.access_key_id, kSuiteAccessKey);
    EXPECT_EQ(auth.service, "service");
    Status verified = VerifySigV4(request, auth, kSuiteSecret, kSuiteNowMs);
    EXPECT_TRUE(verified.ok()) << verified.error().message;

    HttpRequest tampered = request;
    tampered.query += tampered.query.empty() ? "extra=1" : "&extra=1";
    Status rejected = VerifySigV4(tampered, auth, kSuiteSecret, kSuiteNowMs);
    ASSERT_FALSE(rejected.ok());
    EXPECT_EQ(rejected.error().code, "SignatureDoesNotMatch");
    EXPECT_EQ(rejected.error().http_status, 403);

    Status wrong_secret = VerifySigV4(request, auth, "other", kSuiteNowMs);
    EXPECT_FALSE(wrong_secret.ok());
  }
}

// Presigned forms of suite cases (query-signed-request.txt): non-S3
// services sign the SHA-256 of the empty body.
TEST(SigV4SuiteTest, VerifiesPresignedSuiteRequests) {
  struct PresignedCase {
    std::string name, query;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  const std::string common =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F"
      "20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date="
      "20150830T123600Z";
  const std::vector<PresignedCase> cases = {
      {"get-vanilla",
       common +
           "&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature="
           "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
       {{"Host", "example.amazonaws.com"}}},
      {"get-vanilla-query-order-key-case",
       "Param2=value2&Param1=value1&" + common +
           "&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature="
           "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
       {{"Host", "example.amazonaws.com"}}},
      {"get-header-value-trim",
       common +
           "&X-Amz-SignedHeaders=host%3Bmy-header1%3Bmy-header2&X-Amz-Expires="
           "3600&X-Amz-Signature="
           "e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4",
       {{"Host", "example.amazonaws.com"},
        {"My-Header1", " value1"},
        {"My-Header2", " \"a   b   c\""}}},
      {"get-vanilla-with-session-token",
       common +
           "&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Security-Token="
           "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
           "&X-Amz-Signature="
           "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c",
       {{"Host", "example.amazonaws.com"}}},
  };
  for (const PresignedCase& presigned : cases) {
    SCOPED_TRACE(presigned.name);
    HttpRequest request;
    request.method = std::string("GET");
    request.path = std::string("/");
    request.query = presigned.query;
    request.target = "/?" + presigned.query;
    for (const auto& [name, value] : presigned.headers) {
      request.headers.Add(name, value);
    }
    auto parsed = ParseSigV4(request);
    ASSERT_TRUE(parsed.has_value());
    ASSERT_TRUE(parsed->ok()) << parsed->error().message;
    EXPECT_TRUE(parsed->value().presigned);
    EXPECT_EQ(parsed->value().expires_seconds, 3600);
    Status verified =
        VerifySigV4(request, parsed->value(), kSuiteSecret, kSuiteNowMs);
    EXPECT_TRUE(verified.ok()) << verified.error().message;
  }
}

TEST(SigV4SuiteTest, PresignReproducesGetVanilla) {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/");
  request.target = std::string("/");
  request.headers.Add("Host", "example.amazonaws.com");
  PresignSigV4(request, kSuiteAccessKey, kSuiteSecret, "us-east-1", "service",
               kSuiteNowMs, 3600);
  EXPECT_NE(
      request.query.find(
          "X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e"
          "844b25b7192d3865d"),
      std::string::npos)
      << request.query;
  EXPECT_EQ(request.target, "/?" + request.query);
}

// ---------------------------------------------------------------------------
// S3 examples from the Amazon S3 API Reference, "Signature Calculations for
// the Authorization Header", with its example credentials.
// ---------------------------------------------------------------------------

constexpr std::string_view kS3AccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kS3Secret =
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr int64_t kS3ExampleNowMs = 1369353600000;  // 2013-05-24T00:00:00Z
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4S3Test, VerifiesGetObjectExample) {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/test.txt");
  request.target = std::string("/test.txt");
  request.headers.Add("Host", "examplebucket.s3.amazonaws.com");
  request.headers.Add("Range", "bytes=0-9");
  request.headers.Add("x-amz-content-sha256", std::string(kEmptySha256));
  request.headers.Add("x-amz-date", "20130524T000000Z");
  request.headers.Add(
      "Authorization",
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
      "Signature="
      "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  auto parsed = ParseSigV4(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok()) << parsed->error().message;
  EXPECT_EQ(parsed->value().payload_hash, kEmptySha256);
  Status verified =
      VerifySigV4(request, parsed->value(), kS3Secret, kS3ExampleNowMs);
  EXPECT_TRUE(verified.ok()) << verified.error().message;

  // The same request with another range fails with S3's fields.
  request.headers.Set("Range", "bytes=0-10");
  Status rejected =
      VerifySigV4(request, parsed->value(), kS3Secret, kS3ExampleNowMs);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(rejected.error().message,
            "The request signature we calculated does not match the signature "
            "you provided. Check your key and signing method.");
  ASSERT_EQ(rejected.error().fields.size(), 6u);
  EXPECT_EQ(rejected.error().fields[0].first, "AWSAccessKeyId");
  EXPECT_EQ(rejected.error().fields[0].second, kS3AccessKey);
  EXPECT_EQ(rejected.error().fields[1].first, "StringToSign");
  EXPECT_EQ(rejected.error().fields[4].first, "CanonicalRequest");
  EXPECT_NE(rejected.error().fields[4].second.find("range:bytes=0-10"),
            std::string::npos);
}

TEST(SigV4S3Test, S3PathIsEncodedOnceAndNotNormalized) {
  CanonicalUriOptions s3 = CanonicalUriOptionsFor("s3");
  EXPECT_EQ(CanonicalUri("/bucket/a%20b/./c//d", s3), "/bucket/a%20b/./c//d");
  EXPECT_EQ(CanonicalUri("/bucket/a+b*c", s3), "/bucket/a%2Bb%2Ac");
  EXPECT_EQ(CanonicalUri("/bucket/a%2Fb", s3), "/bucket/a%2Fb");

  CanonicalUriOptions other = CanonicalUriOptionsFor("sqs");
  EXPECT_EQ(CanonicalUri("/a%20b/./c//d/", other), "/a%2520b/c/d/");
  EXPECT_EQ(CanonicalUri("/a/../..", other), "/");
  EXPECT_EQ(CanonicalUri("", other), "/");
}

TEST(SigV4S3Test, SignSigV4AddsContentSha256ForS3Only) {
  HttpRequest s3;
  s3.method = std::string("PUT");
  s3.path = std::string("/bucket/key");
  s3.headers.Add("Host", "localhost");
  s3.headers.Add("User-Agent", "test");
  s3.body.data = std::string("hello");
  SignSigV4(s3, "test", "test", "us-east-1", "s3", kS3ExampleNowMs);
  EXPECT_EQ(s3.headers.Get("x-amz-content-sha256"),
            platform::Sha256Hex("hello"));
  std::string authorization(s3.headers.Get("Authorization").value_or(""));
  EXPECT_NE(authorization.find("SignedHeaders=host;x-amz-content-sha256;"
                               "x-amz-date,"),
            std::string::npos)
      << authorization;

  HttpRequest sqs = s3;
  sqs.headers = Headers();
  sqs.headers.Add("Host", "localhost");
  SignSigV4(sqs, "test", "test", "us-east-1", "sqs", kS3ExampleNowMs);
  EXPECT_FALSE(sqs.headers.Has("x-amz-content-sha256"));

  // Both verify, the non-S3 one by hashing the body.
  for (const HttpRequest* request : {&s3, &sqs}) {
    auto parsed = ParseSigV4(*request);
    ASSERT_TRUE(parsed.has_value());
    ASSERT_TRUE(parsed->ok());
    Status verified =
        VerifySigV4(*request, parsed->value(), "test", kS3ExampleNowMs);
    EXPECT_TRUE(verified.ok()) << verified.error().message;
  }
  auto sqs_auth = ParseSigV4(sqs);
  EXPECT_TRUE(NeedsBodyToVerify(sqs_auth->value()));
  sqs.body.data = std::string("tampered");
  EXPECT_FALSE(
      VerifySigV4(sqs, sqs_auth->value(), "test", kS3ExampleNowMs).ok());
}

TEST(SigV4S3Test, SignsAndVerifiesSessionToken) {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/");
  request.headers.Add("Host", "localhost");
  SignSigV4(request, "ASIAEXAMPLE", "secret", "eu-west-1", "sts",
            kS3ExampleNowMs, "token-value");
  auto parsed = ParseSigV4(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok());
  EXPECT_EQ(parsed->value().security_token, "token-value");
  EXPECT_EQ(parsed->value().region, "eu-west-1");
  EXPECT_TRUE(
      VerifySigV4(request, parsed->value(), "secret", kS3ExampleNowMs).ok());
}

TEST(SigV4S3Test, PresignedS3UrlVerifiesUntilExpiry) {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/bucket/my%20key");
  request.target = request.path;
  request.headers.Add("Host", "localhost:4566");
  PresignSigV4(request, "test", "test", "us-east-1", "s3", kS3ExampleNowMs, 60,
               "session/token+1");

  auto parsed = ParseSigV4(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok()) << parsed->error().message;
  EXPECT_EQ(parsed->value().security_token, "session/token+1");
  EXPECT_FALSE(NeedsBodyToVerify(parsed->value()));
  EXPECT_TRUE(
      VerifySigV4(request, parsed->value(), "test", kS3ExampleNowMs + 60000)
          .ok());

  Status expired =
      VerifySigV4(request, parsed->value(), "test", kS3ExampleNowMs + 61000);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "AccessDenied");
  EXPECT_EQ(expired.error().message, "Request has expired");
  EXPECT_EQ(expired.error().http_status, 403);
  ASSERT_EQ(expired.error().fields.size(), 3u);
  EXPECT_EQ(expired.error().fields[0],
            (std::pair<std::string, std::string>{"X-Amz-Expires", "60"}));
  EXPECT_EQ(expired.error().fields[1], (std::pair<std::string, std::string>{
                                           "Expires", "2013-05-24T00:01:00Z"}));

  Status early = VerifySigV4(request, parsed->value(), "test",
                             kS3ExampleNowMs - 16 * 60 * 1000);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().message, "Request is not valid yet");
}

// ---------------------------------------------------------------------------
// Malformed authentication
// ---------------------------------------------------------------------------

HttpRequest WithAuthorization(std::string authorization,
                              std::string amz_date = "20150830T123600Z") {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/");
  request.headers.Add("Host", "example.amazonaws.com");
  if (!amz_date.empty()) request.headers.Add("X-Amz-Date", amz_date);
  request.headers.Add("Authorization", std::move(authorization));
  return request;
}

AwsError ParseError(const HttpRequest& request) {
  auto parsed = ParseSigV4(request);
  EXPECT_TRUE(parsed.has_value());
  if (!parsed.has_value()) return AwsError{};
  EXPECT_FALSE(parsed->ok());
  if (parsed->ok()) return AwsError{};
  return parsed->error();
}

TEST(ParseSigV4Test, UnsignedRequestHasNoAuth) {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/");
  request.query = std::string("Action=ListQueues");
  EXPECT_FALSE(ParseSigV4(request).has_value());
}

TEST(ParseSigV4Test, ListsEveryMissingPart) {
  AwsError error =
      ParseError(WithAuthorization("AWS4-HMAC-SHA256 Foo=bar", ""));
  EXPECT_EQ(error.code, "IncompleteSignature");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.message,
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' "
            "or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Foo=bar");
}

TEST(ParseSigV4Test, RejectsComponentWithoutEquals) {
  AwsError error = ParseError(WithAuthorization(
      "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/sqs/aws4_request, "
      "SignedHeaders, Signature=00"));
  EXPECT_EQ(error.code, "IncompleteSignature");
  EXPECT_EQ(error.message.rfind("'SignedHeaders' not a valid key=value pair "
                                "(missing equal-sign) in Authorization header",
                                0),
            0u)
      << error.message;
}

TEST(ParseSigV4Test, RejectsMalformedCredential) {
  AwsError error = ParseError(
      WithAuthorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1, "
                        "SignedHeaders=host, Signature=00"));
  EXPECT_EQ(error.code, "IncompleteSignature");
  EXPECT_EQ(error.message,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got "
            "'AKID/20150830/us-east-1'");

  AwsError s3 = ParseError(WithAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws5_request, "
      "SignedHeaders=host, Signature=00"));
  EXPECT_EQ(s3.code, "AuthorizationHeaderMalformed");
  EXPECT_EQ(s3.message,
            "The authorization header is malformed; the Credential is "
            "mal-formed; expecting "
            "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");

  AwsError terminator = ParseError(WithAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sqs/aws5_request, "
      "SignedHeaders=host, Signature=00"));
  EXPECT_EQ(terminator.code, "SignatureDoesNotMatch");
  EXPECT_EQ(terminator.message,
            "Credential should be scoped with a valid terminator: "
            "'aws4_request', not 'aws5_request'.");
}

TEST(ParseSigV4Test, RejectsUnsupportedAlgorithm) {
  AwsError error = ParseError(WithAuthorization(
      "AWS4-HMAC-SHA512 Credential=AKID/20150830/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host, Signature=00"));
  EXPECT_EQ(error.code, "IncompleteSignature");
  EXPECT_EQ(error.message, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
}

TEST(ParseSigV4Test, RejectsBadDate) {
  const std::string header =
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=00";
  AwsError error = ParseError(WithAuthorization(header, "2015-08-30"));
  EXPECT_EQ(error.code, "IncompleteSignature");
  EXPECT_EQ(error.message,
            "Date must be in ISO-8601 'basic format'. Got '2015-08-30'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");

  const std::string s3_header =
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=00";
  AwsError s3 = ParseError(WithAuthorization(s3_header, "20151330T000000Z"));
  EXPECT_EQ(s3.code, "AccessDenied");
  EXPECT_EQ(s3.http_status, 403);
}

TEST(ParseSigV4Test, AcceptsHttpDateHeader) {
  HttpRequest request = WithAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sqs/aws4_request,"
      "SignedHeaders=date;host,Signature=ABCD",
      "");
  request.headers.Add("Date", "Sun, 30 Aug 2015 12:36:00 GMT");
  auto parsed = ParseSigV4(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok()) << parsed->error().message;
  EXPECT_EQ(parsed->value().amz_date, "20150830T123600Z");
  EXPECT_EQ(parsed->value().signature, "abcd");
  EXPECT_EQ(parsed->value().signed_headers,
            (std::vector<std::string>{"date", "host"}));
}

HttpRequest WithQuery(std::string query) {
  HttpRequest request;
  request.method = std::string("GET");
  request.path = std::string("/bucket/key");
  request.query = std::move(query);
  request.headers.Add("Host", "localhost");
  return request;
}

constexpr std::string_view kGoodPresign =
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20130524%2F"
    "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&"
    "X-Amz-SignedHeaders=host&X-Amz-Signature=00";

TEST(ParseSigV4Test, PresignedErrorsUseS3Codes) {
  struct Case {
    std::string query;
    std::string message;
  };
  const std::vector<Case> cases = {
      {std::string(kGoodPresign),
       "Query-string authentication version 4 requires the X-Amz-Algorithm, "
       "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
       "and X-Amz-Expires parameters."},
      {"X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=test%2F20130524%2F"
       "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&"
       "X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=1",
       "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""},
      {"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20130524&"
       "X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&"
       "X-Amz-Signature=00&X-Amz-Expires=1",
       "Error parsing the X-Amz-Credential parameter; the Credential is "
       "mal-formed; expecting "
       "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."},
      {std::string(kGoodPresign) + "&X-Amz-Expires=soon",
       "X-Amz-Expires should be a number"},
      {std::string(kGoodPresign) + "&X-Amz-Expires=-5",
       "X-Amz-Expires must be non-negative"},
      {std::string(kGoodPresign) + "&X-Amz-Expires=604801",
       "X-Amz-Expires must be less than a week (in seconds); that is, the "
       "given X-Amz-Expires must be less than 604800 seconds"},
      {std::string(kGoodPresign) + "&X-Amz-Expires=99999999999999999999999",
       "X-Amz-Expires should be a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    AwsError error = ParseError(WithQuery(c.query));
    EXPECT_EQ(error.code, "AuthorizationQueryParametersError");
    EXPECT_EQ(error.http_status, 400);
    EXPECT_EQ(error.message, c.message);
  }

  auto parsed = ParseSigV4(
      WithQuery(std::string(kGoodPresign) + "&X-Amz-Expires=604800"));
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok());
  EXPECT_EQ(parsed->value().expires_seconds, 604800);
}

// ---------------------------------------------------------------------------
// Verification errors
// ---------------------------------------------------------------------------

SigV4Auth SignedAuth(HttpRequest& request, std::string_view service,
                     int64_t signed_at_ms) {
  SignSigV4(request, "test", "test", "us-east-1", service, signed_at_ms);
  auto parsed = ParseSigV4(request);
  if (!parsed.has_value() || !parsed->ok()) {
    ADD_FAILURE() << "SignSigV4 produced a request ParseSigV4 rejects";
    return SigV4Auth{};
  }
  return parsed->value();
}

HttpRequest PlainRequest() {
  HttpRequest request;
  request.method = std::string("POST");
  request.path = std::string("/");
  request.headers.Add("Host", "localhost");
  return request;
}

TEST(VerifySigV4Test, RejectsSkewBeyondFifteenMinutes) {
  HttpRequest request = PlainRequest();
  SigV4Auth auth = SignedAuth(request, "sqs", kSuiteNowMs);
  EXPECT_TRUE(
      VerifySigV4(request, auth, "test", kSuiteNowMs + 15 * 60000).ok());

  Status late = VerifySigV4(request, auth, "test", kSuiteNowMs + 16 * 60000);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(late.error().message,
            "Signature expired: 20150830T123600Z is now earlier than "
            "20150830T123700Z (20150830T125200Z - 15 min.)");

  Status early = VerifySigV4(request, auth, "test", kSuiteNowMs - 16 * 60000);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().message,
            "Signature not yet current: 20150830T123600Z is still later than "
            "20150830T123500Z (20150830T122000Z + 15 min.)");

  HttpRequest s3 = PlainRequest();
  SigV4Auth s3_auth = SignedAuth(s3, "s3", kSuiteNowMs);
  Status skewed = VerifySigV4(s3, s3_auth, "test", kSuiteNowMs + 16 * 60000);
  ASSERT_FALSE(skewed.ok());
  EXPECT_EQ(skewed.error().code, "RequestTimeTooSkewed");
  EXPECT_EQ(skewed.error().http_status, 403);
  ASSERT_EQ(skewed.error().fields.size(), 3u);
  EXPECT_EQ(skewed.error().fields[0].second, "20150830T123600Z");
  EXPECT_EQ(skewed.error().fields[1].second, "2015-08-30T12:52:00Z");
  EXPECT_EQ(skewed.error().fields[2].second, "900000");
}

TEST(VerifySigV4Test, RejectsScopeDateMismatch) {
  HttpRequest request = PlainRequest();
  SigV4Auth auth = SignedAuth(request, "sqs", kSuiteNowMs);
  auth.date = "20150831";
  Status status = VerifySigV4(request, auth, "test", kSuiteNowMs);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(status.error().message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
            "version of date from HTTP: '20150831' != '20150830', from "
            "'20150830T123600Z'.");

  HttpRequest s3 = PlainRequest();
  SigV4Auth s3_auth = SignedAuth(s3, "s3", kSuiteNowMs);
  s3_auth.date = "20150831";
  Status s3_status = VerifySigV4(s3, s3_auth, "test", kSuiteNowMs);
  ASSERT_FALSE(s3_status.ok());
  EXPECT_EQ(s3_status.error().code, "AuthorizationHeaderMalformed");
}

TEST(VerifySigV4Test, S3RequiresValidContentSha256) {
  HttpRequest request = PlainRequest();
  SigV4Auth auth = SignedAuth(request, "s3", kSuiteNowMs);
  auth.payload_hash.clear();
  Status missing = VerifySigV4(request, auth, "test", kSuiteNowMs);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "InvalidRequest");
  EXPECT_EQ(missing.error().message,
            "Missing required header for this request: x-amz-content-sha256");

  auth.payload_hash = "not-a-hash";
  Status invalid = VerifySigV4(request, auth, "test", kSuiteNowMs);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, "InvalidArgument");
}

TEST(VerifySigV4Test, PayloadHashMustMatchBody) {
  HttpRequest request = PlainRequest();
  request.path = std::string("/bucket/key");
  request.body.data = std::string("hello");
  SigV4Auth auth = SignedAuth(request, "s3", kSuiteNowMs);
  EXPECT_TRUE(VerifyPayloadHash(request, auth).ok());

  request.body.data = std::string("HELLO");
  Status mismatch = VerifyPayloadHash(request, auth);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, "XAmzContentSHA256Mismatch");
  ASSERT_EQ(mismatch.error().fields.size(), 2u);
  EXPECT_EQ(mismatch.error().fields[1].second, platform::Sha256Hex("HELLO"));

  auth.payload_hash = std::string(kUnsignedPayload);
  EXPECT_TRUE(VerifyPayloadHash(request, auth).ok());
}

// ---------------------------------------------------------------------------
// aws-chunked bodies
// ---------------------------------------------------------------------------

// The example of the Amazon S3 API Reference page "Signature Calculations
// for the Authorization Header: Transferring Payload in Multiple Chunks":
// 66560 bytes of 'a' in chunks of 65536, 1024 and 0 bytes.
constexpr std::string_view kSeedSignature =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr std::string_view kChunkSignatures[] = {
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
};

std::string ChunkedExampleBody() {
  std::string body;
  const size_t sizes[] = {65536, 1024, 0};
  const char* hex_sizes[] = {"10000", "400", "0"};
  for (int i = 0; i < 3; ++i) {
    body += hex_sizes[i];
    body += ";chunk-signature=";
    body += kChunkSignatures[i];
    body += "\r\n";
    body += std::string(sizes[i], 'a');
    body += "\r\n";
  }
  return body;
}

AwsChunkedDecoder ExampleDecoder() {
  return AwsChunkedDecoder(
      DeriveSigningKey(kS3Secret, "20130524", "us-east-1", "s3"),
      "20130524/us-east-1/s3/aws4_request", "20130524T000000Z",
      std::string(kSeedSignature));
}

TEST(SigV4S3Test, VerifiesChunkedUploadSeedSignature) {
  HttpRequest request;
  request.method = std::string("PUT");
  request.path = std::string("/examplebucket/chunkObject.txt");
  request.headers.Add("Host", "s3.amazonaws.com");
  request.headers.Add("x-amz-date", "20130524T000000Z");
  request.headers.Add("x-amz-storage-class", "REDUCED_REDUNDANCY");
  request.headers.Add("x-amz-content-sha256",
                      std::string(kStreamingSignedPayload));
  request.headers.Add("Content-Encoding", "aws-chunked");
  request.headers.Add("x-amz-decoded-content-length", "66560");
  request.headers.Add("Content-Length", "66824");
  request.headers.Add(
      "Authorization",
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=content-encoding;content-length;host;"
      "x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
      "x-amz-storage-class,Signature=" +
          std::string(kSeedSignature));
  auto parsed = ParseSigV4(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok()) << parsed->error().message;
  EXPECT_TRUE(IsStreamingPayload(parsed->value().payload_hash));
  EXPECT_FALSE(NeedsBodyToVerify(parsed->value()));
  Status verified =
      VerifySigV4(request, parsed->value(), kS3Secret, kS3ExampleNowMs);
  EXPECT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(ChunkedExampleBody().size(), 66824u);
}

TEST(AwsChunkedDecoderTest, ChunkSignatureMatchesExample) {
  const std::string key =
      DeriveSigningKey(kS3Secret, "20130524", "us-east-1", "s3");
  const std::string scope = "20130524/us-east-1/s3/aws4_request";
  std::string first =
      ComputeChunkSignature(key, "20130524T000000Z", scope, kSeedSignature,
                            platform::Sha256Hex(std::string(65536, 'a')));
  EXPECT_EQ(first, kChunkSignatures[0]);
  std::string second =
      ComputeChunkSignature(key, "20130524T000000Z", scope, first,
                            platform::Sha256Hex(std::string(1024, 'a')));
  EXPECT_EQ(second, kChunkSignatures[1]);
  EXPECT_EQ(ComputeChunkSignature(key, "20130524T000000Z", scope, second,
                                  kEmptySha256),
            kChunkSignatures[2]);
}

TEST(AwsChunkedDecoderTest, VerifiesExampleInOneFeed) {
  AwsChunkedDecoder decoder = ExampleDecoder();
  std::string out;
  Status status = decoder.Feed(ChunkedExampleBody(), &out);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(decoder.done());
  EXPECT_TRUE(decoder.Finish().ok());
  EXPECT_EQ(out, std::string(66560, 'a'));
  EXPECT_EQ(decoder.decoded_size(), 66560u);
}

TEST(AwsChunkedDecoderTest, VerifiesExampleInArbitrarySplits) {
  const std::string body = ChunkedExampleBody();
  for (size_t step : {1, 2, 3, 7, 64, 1000, 65600}) {
    SCOPED_TRACE(step);
    AwsChunkedDecoder decoder = ExampleDecoder();
    std::string out;
    for (size_t offset = 0; offset < body.size(); offset += step) {
      Status status =
          decoder.Feed(std::string_view(body).substr(offset, step), &out);
      ASSERT_TRUE(status.ok()) << status.error().message;
    }
    EXPECT_TRUE(decoder.done());
    EXPECT_EQ(out.size(), 66560u);
  }
}

TEST(AwsChunkedDecoderTest, RejectsTamperedChunk) {
  std::string body = ChunkedExampleBody();
  body[body.find("\r\n") + 100] = 'b';
  AwsChunkedDecoder decoder = ExampleDecoder();
  std::string out;
  Status status = decoder.Feed(body, &out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(status.error().http_status, 403);
}

TEST(AwsChunkedDecoderTest, RejectsWrongSeedSignature) {
  AwsChunkedDecoder decoder(
      DeriveSigningKey(kS3Secret, "20130524", "us-east-1", "s3"),
      "20130524/us-east-1/s3/aws4_request", "20130524T000000Z",
      std::string(64, '0'));
  std::string out;
  EXPECT_FALSE(decoder.Feed(ChunkedExampleBody(), &out).ok());
}

TEST(AwsChunkedDecoderTest, RejectsSmallChunkBeforeLast) {
  // Re-sign the example with chunks of 1024, 1024 and 0 bytes.
  const std::string key =
      DeriveSigningKey(kS3Secret, "20130524", "us-east-1", "s3");
  std::string previous(kSeedSignature);
  std::string body;
  for (size_t size : {1024, 1024, 0}) {
    std::string data(size, 'a');
    std::string signature =
        ComputeSignature(key,
                         "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n"
                         "20130524/us-east-1/s3/aws4_request\n" +
                             previous + "\n" + std::string(kEmptySha256) +
                             "\n" + platform::Sha256Hex(data));
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%zx", size);
    body += std::string(hex) + ";chunk-signature=" + signature + "\r\n" + data +
            "\r\n";
    previous = signature;
  }
  AwsChunkedDecoder decoder = ExampleDecoder();
  std::string out;
  Status status = decoder.Feed(body, &out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "InvalidChunkSizeError");
  ASSERT_EQ(status.error().fields.size(), 1u);
  EXPECT_EQ(status.error().fields[0].second, "1024");
}

TEST(AwsChunkedDecoderTest, DecodesUnsignedChunksWithTrailers) {
  const std::string body =
      "5\r\nhello\r\n6\r\n world\r\n0\r\n"
      "x-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  for (size_t step : {size_t{1}, size_t{4}, body.size()}) {
    SCOPED_TRACE(step);
    AwsChunkedDecoder decoder;
    std::string out;
    for (size_t offset = 0; offset < body.size(); offset += step) {
      ASSERT_TRUE(
          decoder.Feed(std::string_view(body).substr(offset, step), &out).ok());
    }
    EXPECT_TRUE(decoder.done());
    EXPECT_EQ(out, "hello world");
    EXPECT_EQ(decoder.trailers().Get("x-amz-checksum-crc32"), "DUoRhQ==");
  }
}

TEST(AwsChunkedDecoderTest, VerifiesSignedTrailer) {
  // A self-signed body: one chunk, then a CRC32C trailer and its signature,
  // computed with the trailer string to sign AWS documents
  // ("AWS4-HMAC-SHA256-TRAILER", chained from the final chunk signature).
  const std::string key =
      DeriveSigningKey(kS3Secret, "20130524", "us-east-1", "s3");
  const std::string scope = "20130524/us-east-1/s3/aws4_request";
  auto chunk_signature = [&](const std::string& previous,
                             const std::string& data) {
    return ComputeSignature(
        key, "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n" + scope + "\n" +
                 previous + "\n" + std::string(kEmptySha256) + "\n" +
                 platform::Sha256Hex(data));
  };
  std::string first = chunk_signature(std::string(kSeedSignature), "abc");
  std::string last = chunk_signature(first, "");
  std::string trailer_signature = ComputeSignature(
      key, "AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n" + scope + "\n" +
               last + "\n" +
               platform::Sha256Hex("x-amz-checksum-crc32c:wdBDMA==\n"));
  const std::string prefix = "3;chunk-signature=" + first + "\r\nabc\r\n" +
                             "0;chunk-signature=" + last + "\r\n" +
                             "x-amz-checksum-crc32c:wdBDMA==\r\n";

  AwsChunkedDecoder good = ExampleDecoder();
  std::string out;
  Status status = good.Feed(
      prefix + "x-amz-trailer-signature:" + trailer_signature + "\r\n\r\n",
      &out);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(good.done());
  EXPECT_EQ(good.trailers().Get("x-amz-checksum-crc32c"), "wdBDMA==");
  EXPECT_FALSE(good.trailers().Has("x-amz-trailer-signature"));

  AwsChunkedDecoder bad = ExampleDecoder();
  out.clear();
  EXPECT_FALSE(bad.Feed(prefix + "x-amz-trailer-signature:" +
                            std::string(64, '0') + "\r\n\r\n",
                        &out)
                   .ok());

  AwsChunkedDecoder unsigned_trailer = ExampleDecoder();
  out.clear();
  EXPECT_FALSE(unsigned_trailer.Feed(prefix + "\r\n", &out).ok());
}

TEST(AwsChunkedDecoderTest, RejectsMalformedFraming) {
  const std::vector<std::string> bodies = {
      "zz\r\nhello\r\n",                     // size is not hex
      "\r\n",                                // empty size
      "11111111111111111\r\n",               // 17 hex digits
      "5\nhello\r\n",                        // size line without CR
      "5\r\nhelloX\r\n",                     // data longer than declared
      "5\r\nhello\r\n0\r\nnocolon\r\n\r\n",  // trailer without ':'
      "0\r\n\r\nextra",                      // bytes after the end
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body);
    AwsChunkedDecoder decoder;
    std::string out;
    Status status = decoder.Feed(body, &out);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "IncompleteBody");
  }
}

TEST(AwsChunkedDecoderTest, BoundsLineBuffering) {
  // A size line that never ends is rejected once it passes the limit, not
  // buffered without bound.
  AwsChunkedDecoder decoder;
  std::string out;
  std::string ones(1024, '1');
  Status status;
  int fed = 0;
  while (status.ok() && fed < 100) {
    status = decoder.Feed(ones, &out);
    ++fed;
  }
  EXPECT_FALSE(status.ok());
  EXPECT_LT(fed, 10);

  AwsChunkedDecoder trailers;
  ASSERT_TRUE(trailers.Feed("0\r\n", &out).ok());
  std::string long_trailer = "x-amz-meta:" + std::string(70000, 'v');
  EXPECT_FALSE(trailers.Feed(long_trailer, &out).ok());
}

TEST(AwsChunkedDecoderTest, FinishReportsTruncatedBody) {
  AwsChunkedDecoder decoder;
  std::string out;
  ASSERT_TRUE(decoder.Feed("5\r\nhel", &out).ok());
  EXPECT_FALSE(decoder.done());
  Status finished = decoder.Finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().code, "IncompleteBody");
}

TEST(AwsChunkedDecoderTest, HugeDeclaredSizeStreamsWithoutBuffering) {
  // The decoder passes data through as it arrives, so a large declared
  // size costs no memory beyond the bytes actually fed.
  AwsChunkedDecoder decoder;
  std::string out;
  ASSERT_TRUE(decoder.Feed("ffffffffffffffff\r\n", &out).ok());
  ASSERT_TRUE(decoder.Feed(std::string(4096, 'x'), &out).ok());
  EXPECT_EQ(out.size(), 4096u);
  EXPECT_FALSE(decoder.Finish().ok());
}

TEST(AwsChunkedDecoderTest, SurvivesRandomInput) {
  // Random framing-like bytes in random splits: every outcome is an error
  // or a decode, never a crash, and output never exceeds the input.
  uint32_t state = 7;
  auto next = [&state]() {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  const std::string alphabet = "0123456789abcdefxz;=\r\n:-chunk-signature";
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    size_t length = next() % 200;
    for (size_t i = 0; i < length; ++i)
      input += alphabet[next() % alphabet.size()];
    AwsChunkedDecoder decoder;
    std::string out;
    size_t offset = 0;
    while (offset < input.size()) {
      size_t step = 1 + next() % 16;
      if (!decoder.Feed(std::string_view(input).substr(offset, step), &out)
               .ok()) {
        break;
      }
      offset += step;
    }
    EXPECT_LE(out.size(), input.size());
  }
}

TEST(ParseSigV4Test, SurvivesRandomAuthorizationHeaders) {
  // Random headers built from SigV4 fragments either fail to parse or fail
  // to verify, and never crash.
  uint32_t state = 11;
  auto next = [&state]() {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  const std::vector<std::string> pieces = {"AWS4-HMAC-SHA256 ",
                                           "Credential=",
                                           "SignedHeaders=",
                                           "Signature=",
                                           "/",
                                           ",",
                                           ";",
                                           "=",
                                           " ",
                                           "s3",
                                           "aws4_request",
                                           "20150830",
                                           "abc",
                                           "%"};
  for (int round = 0; round < 2000; ++round) {
    std::string header;
    size_t count = next() % 12;
    for (size_t i = 0; i < count; ++i) header += pieces[next() % pieces.size()];
    HttpRequest request = WithAuthorization(header);
    auto parsed = ParseSigV4(request);
    // A blank header counts as no credential.
    if (header.find_first_not_of(' ') == std::string::npos) {
      EXPECT_FALSE(parsed.has_value());
      continue;
    }
    ASSERT_TRUE(parsed.has_value());
    if (parsed->ok()) {
      // Verification of whatever parsed must fail cleanly, not crash.
      EXPECT_FALSE(
          VerifySigV4(request, parsed->value(), "secret", kSuiteNowMs).ok());
    }
  }
}

}  // namespace
}  // namespace brume::aws
