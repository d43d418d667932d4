#include <openssl/crypto.h>

#include <algorithm>
#include <string>
#include <utility>

#include "aws/sigv4.h"
#include "platform/strings.h"

// The aws-chunked body decoder declared in sigv4.h: S3 uploads whose
// x-amz-content-sha256 is one of the STREAMING-* values.

namespace brume::aws {
namespace {

AwsError MakeError(std::string code, std::string message, int http_status) {
  AwsError error;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = http_status;
  return error;
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

// A chunk-size line is "<hex size>;chunk-signature=<64 hex>", under 100
// bytes. The limits below leave room for extensions while bounding memory.
constexpr size_t kMaxSizeLineBytes = 4096;
constexpr size_t kMaxTrailerBytes = 64 * 1024;
// S3's InvalidChunkSizeError: "Only the last chunk is allowed to have a size
// less than 8192 bytes". NOTE: enforced for signed chunks only, because
// whether S3 applies it to unsigned (trailer) uploads is unverified.
constexpr uint64_t kMinChunkSize = 8192;

AwsError MalformedChunk(std::string message) {
  // NOTE: S3's code for broken aws-chunked framing is not documented, so
  // this uses IncompleteBody, its code for bodies that end early.
  return MakeError("IncompleteBody", std::move(message), 400);
}

AwsError ChunkSignatureMismatch() {
  return MakeError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you "
      "provided. Check your key and signing method.",
      403);
}

}  // namespace

AwsChunkedDecoder::AwsChunkedDecoder(std::string signing_key, std::string scope,
                                     std::string amz_date,
                                     std::string seed_signature)
    : verify_(true),
      signing_key_(std::move(signing_key)),
      scope_(std::move(scope)),
      amz_date_(std::move(amz_date)),
      previous_signature_(std::move(seed_signature)) {}

Status AwsChunkedDecoder::Feed(std::string_view bytes, std::string* out) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::kSize:
      case State::kDataEnd:
      case State::kTrailers: {
        // Line-oriented states: gather bytes up to CRLF.
        size_t newline = bytes.find('\n');
        std::string_view piece = bytes.substr(0, newline);
        size_t limit =
            state_ == State::kTrailers ? kMaxTrailerBytes : kMaxSizeLineBytes;
        if (line_.size() + piece.size() > limit) {
          return MalformedChunk(
              state_ == State::kTrailers
                  ? "aws-chunked trailers are too long"
                  : "aws-chunked chunk-size line is too long");
        }
        line_.append(piece);
        if (newline == std::string_view::npos) return Status();
        bytes.remove_prefix(newline + 1);
        if (line_.empty() || line_.back() != '\r') {
          return MalformedChunk("aws-chunked line does not end with CRLF");
        }
        line_.pop_back();

        Status status;
        if (state_ == State::kSize) {
          status = ParseSizeLine();
        } else if (state_ == State::kDataEnd) {
          if (!line_.empty()) {
            status = MalformedChunk(
                "aws-chunked chunk data is longer than its declared size");
          } else {
            state_ = State::kSize;
          }
        } else {
          status = ParseTrailerLine();
        }
        line_.clear();
        if (!status.ok()) return status;
        break;
      }
      case State::kData: {
        size_t take =
            static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
        std::string_view data = bytes.substr(0, take);
        out->append(data);
        if (chunk_hash_) chunk_hash_->Update(data);
        remaining_ -= take;
        bytes.remove_prefix(take);
        if (remaining_ == 0) {
          Status status = FinishChunk();
          if (!status.ok()) return status;
        }
        break;
      }
      case State::kDone:
        return MalformedChunk("data follows the end of the aws-chunked body");
    }
  }
  return Status();
}

Status AwsChunkedDecoder::ParseSizeLine() {
  std::string_view line = line_;
  size_t semicolon = line.find(';');
  std::string_view size_text = line.substr(0, semicolon);
  if (size_text.empty() || size_text.size() > 16 ||
      !std::all_of(size_text.begin(), size_text.end(), IsHexDigit)) {
    return MalformedChunk(
        "aws-chunked chunk size is not a hexadecimal number: '" +
        std::string(size_text.substr(0, 32)) + "'");
  }
  uint64_t size = 0;
  for (char c : size_text) {
    size = size * 16 +
           static_cast<uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }

  // Extensions: only chunk-signature matters.
  chunk_signature_.clear();
  if (semicolon != std::string_view::npos) {
    std::string_view extensions = line.substr(semicolon + 1);
    while (!extensions.empty()) {
      size_t next = extensions.find(';');
      std::string_view extension = extensions.substr(0, next);
      extensions = next == std::string_view::npos ? std::string_view()
                                                  : extensions.substr(next + 1);
      size_t equals = extension.find('=');
      std::string_view name = platform::Trim(extension.substr(0, equals));
      if (name == "chunk-signature" && equals != std::string_view::npos) {
        chunk_signature_ = platform::Trim(extension.substr(equals + 1));
      }
    }
  }

  if (verify_) {
    if (chunk_signature_.empty()) {
      return MakeError("IncompleteSignature",
                       "aws-chunked chunk has no chunk-signature", 400);
    }
    // Every data chunk except the last must be at least 8 KiB.
    if (size > 0 && previous_chunk_size_ > 0 &&
        previous_chunk_size_ < kMinChunkSize) {
      AwsError error = MakeError(
          "InvalidChunkSizeError",
          "Only the last chunk is allowed to have a size less than 8192 bytes",
          403);
      error.fields = {{"BadChunkSize", std::to_string(previous_chunk_size_)}};
      return error;
    }
    chunk_hash_.emplace(platform::DigestAlgorithm::kSha256);
  }

  chunk_size_ = size;
  remaining_ = size;
  decoded_size_ += size;
  if (size == 0) return FinishChunk();
  state_ = State::kData;
  return Status();
}

Status AwsChunkedDecoder::FinishChunk() {
  if (verify_) {
    std::string chunk_hash = platform::HexEncode(chunk_hash_->Final());
    chunk_hash_.reset();
    std::string expected = ComputeChunkSignature(
        signing_key_, amz_date_, scope_, previous_signature_, chunk_hash);
    if (!SignaturesEqual(expected, platform::ToLower(chunk_signature_))) {
      return ChunkSignatureMismatch();
    }
    previous_signature_ = std::move(expected);
  }
  previous_chunk_size_ = chunk_size_;
  // The final, empty chunk is followed by trailers (possibly none) and an
  // empty line, and a data chunk by CRLF.
  state_ = chunk_size_ == 0 ? State::kTrailers : State::kDataEnd;
  return Status();
}

Status AwsChunkedDecoder::ParseTrailerLine() {
  if (line_.empty()) {
    if (verify_ && trailers_.size() > 0) {
      if (trailer_signature_.empty()) {
        return MakeError("IncompleteSignature",
                         "aws-chunked trailers have no x-amz-trailer-signature",
                         400);
      }
      Status status = VerifyTrailerSignature();
      if (!status.ok()) return status;
    }
    state_ = State::kDone;
    return Status();
  }
  trailer_bytes_ += line_.size();
  if (trailer_bytes_ > kMaxTrailerBytes) {
    return MalformedChunk("aws-chunked trailers are too long");
  }
  size_t colon = line_.find(':');
  if (colon == std::string::npos || colon == 0) {
    return MalformedChunk("aws-chunked trailer is not a 'name:value' line");
  }
  std::string name(platform::Trim(std::string_view(line_).substr(0, colon)));
  std::string value(platform::Trim(std::string_view(line_).substr(colon + 1)));
  if (platform::EqualsIgnoreCase(name, "x-amz-trailer-signature")) {
    trailer_signature_ = platform::ToLower(value);
    return Status();
  }
  trailers_.Add(std::move(name), std::move(value));
  return Status();
}

// The trailer signature chains from the final chunk's signature over the
// canonical trailers, "name:value\n" each.
Status AwsChunkedDecoder::VerifyTrailerSignature() {
  std::string canonical;
  for (const auto& [name, value] : trailers_) {
    canonical += platform::ToLower(name);
    canonical.push_back(':');
    canonical += value;
    canonical.push_back('\n');
  }
  std::string expected = ComputeTrailerSignature(
      signing_key_, amz_date_, scope_, previous_signature_,
      platform::Sha256Hex(canonical));
  if (!SignaturesEqual(expected, trailer_signature_)) {
    return ChunkSignatureMismatch();
  }
  return Status();
}

Status AwsChunkedDecoder::Finish() const {
  if (state_ == State::kDone) return Status();
  return MakeError("IncompleteBody", "The request body terminated unexpectedly",
                   400);
}

}  // namespace brume::aws
