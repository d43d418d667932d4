#include "platform/credentials.h"

#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace brume::platform {
namespace {

Credential MakeCredential(std::string access_key_id, std::string secret) {
  Credential credential;
  credential.access_key_id = std::move(access_key_id);
  credential.secret_access_key = std::move(secret);
  credential.account_id = "123456789012";
  return credential;
}

TEST(CredentialStoreTest, PutThenFind) {
  CredentialStore store;
  store.Put(MakeCredential("ASIAEXAMPLE", "secret"));
  std::optional<Credential> found = store.Find("ASIAEXAMPLE");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->secret_access_key, "secret");
  EXPECT_EQ(found->account_id, "123456789012");
  EXPECT_FALSE(store.Find("asiaexample").has_value());  // case-sensitive
  EXPECT_FALSE(store.Find("OTHER").has_value());
}

TEST(CredentialStoreTest, PutReplaces) {
  CredentialStore store;
  store.Put(MakeCredential("KEY", "old"));
  store.Put(MakeCredential("KEY", "new"));
  EXPECT_EQ(store.Find("KEY")->secret_access_key, "new");
}

TEST(CredentialStoreTest, ClearRemovesAll) {
  CredentialStore store;
  store.Put(MakeCredential("A", "1"));
  store.Put(MakeCredential("B", "2"));
  store.Clear();
  EXPECT_FALSE(store.Find("A").has_value());
  EXPECT_FALSE(store.Find("B").has_value());
}

TEST(CredentialStoreTest, ConcurrentPutAndFind) {
  CredentialStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 500; ++i) {
        std::string key = fmt::format("K{}_{}", t, i);
        store.Put(MakeCredential(key, key));
        store.Find(key);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 500; ++i) {
      std::string key = fmt::format("K{}_{}", t, i);
      ASSERT_TRUE(store.Find(key).has_value()) << key;
    }
  }
}

TEST(DefaultAccountTest, TwelveDigitKeyIsAccount) {
  EXPECT_EQ(DefaultAccountForAccessKey("123456789012"), "123456789012");
}

TEST(DefaultAccountTest, OtherKeysMapToDefault) {
  for (std::string_view key :
       {"test", "AKIAIOSFODNN7EXAMPLE", "12345678901", "1234567890123",
        "12345678901a", ""}) {
    EXPECT_EQ(DefaultAccountForAccessKey(key), "000000000000") << key;
  }
}


TEST(ParseCredentialsFileTest, ProfilesWithAndWithoutAccount) {
  StatusOr<std::vector<Credential>> parsed = ParseCredentialsFile(
      "# comment\n"
      "[main]\n"
      "aws_access_key_id = AKIAMAIN\n"
      "aws_secret_access_key=main-secret\r\n"
      "aws_account_id = 111111111111\n"
      "region = us-west-2\n"
      "\n"
      "[profile alt]\n"
      "aws_access_key_id = 222222222222\n"
      "aws_secret_access_key = alt-secret\n"
      "aws_session_token = token\n",
      "creds");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed.value().size(), 2u);
  const Credential& main = parsed.value()[0];
  EXPECT_EQ(main.access_key_id, "AKIAMAIN");
  EXPECT_EQ(main.secret_access_key, "main-secret");
  EXPECT_EQ(main.account_id, "111111111111");
  EXPECT_EQ(main.arn, "arn:aws:iam::111111111111:root");
  EXPECT_TRUE(main.session_token.empty());
  const Credential& alt = parsed.value()[1];
  EXPECT_EQ(alt.account_id, "222222222222");  // from the 12-digit key
  EXPECT_EQ(alt.session_token, "token");
}

TEST(ParseCredentialsFileTest, DefaultAccountForOtherKeys) {
  StatusOr<std::vector<Credential>> parsed = ParseCredentialsFile(
      "[default]\naws_access_key_id=test\naws_secret_access_key=test", "f");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.value().size(), 1u);
  EXPECT_EQ(parsed.value()[0].account_id, "000000000000");
}

TEST(ParseCredentialsFileTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* expected_prefix;
  };
  const Case cases[] = {
      {"[a]\naws_access_key_id = k\nnot a pair\n", "f line 3:"},
      {"aws_access_key_id = k\n", "f line 1:"},
      {"[a\n", "f line 1:"},
      {"[a]\naws_access_key_id = k\n", "f line 1: profile [a] has no "
                                       "aws_secret_access_key"},
      {"[a]\naws_access_key_id=k\naws_secret_access_key=s\n"
       "aws_account_id=12\n",
       "f line 4:"},
  };
  for (const Case& c : cases) {
    StatusOr<std::vector<Credential>> parsed = ParseCredentialsFile(c.text, "f");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_TRUE(parsed.status().message().starts_with(c.expected_prefix))
        << parsed.status().message();
  }
}

TEST(CredentialStoreTest, AccountsAreUnique) {
  CredentialStore store;
  Credential first = MakeCredential("AKIAFIRST", "s1");
  first.account_id = "222222222222";
  Credential second = MakeCredential("AKIASECOND", "s2");
  second.account_id = "222222222222";
  Credential third = MakeCredential("AKIATHIRD", "s3");
  third.account_id = "111111111111";
  store.Put(first);
  store.Put(second);
  store.Put(third);
  std::vector<std::string> expected = {"111111111111", "222222222222"};
  EXPECT_EQ(store.Accounts(), expected);
}

}  // namespace
}  // namespace brume::platform
