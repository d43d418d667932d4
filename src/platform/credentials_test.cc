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

}  // namespace
}  // namespace brume::platform
