#include "aws/codec/timestamps.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace brume::aws::codec {

namespace {

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilTime {
  int64_t year;
  unsigned month;
  unsigned day;
  unsigned hour;
  unsigned minute;
  unsigned second;
  unsigned millisecond;
  unsigned weekday;  // 0 = Sunday
};

// Splits epoch seconds, rounded to milliseconds, into UTC calendar fields
// (Howard Hinnant's civil_from_days).
CivilTime ToCivil(double epoch_seconds) {
  const int64_t total_ms = std::llround(epoch_seconds * 1000.0);
  int64_t seconds = total_ms / 1000;
  int64_t ms = total_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    seconds -= 1;
  }
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }

  CivilTime t{};
  t.hour = static_cast<unsigned>(rest / 3600);
  t.minute = static_cast<unsigned>(rest % 3600 / 60);
  t.second = static_cast<unsigned>(rest % 60);
  t.millisecond = static_cast<unsigned>(ms);
  // 1970-01-01 was a Thursday.
  t.weekday = static_cast<unsigned>((days % 7 + 7 + 4) % 7);

  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  t.day = doy - (153 * mp + 2) / 5 + 1;
  t.month = mp < 10 ? mp + 3 : mp - 9;
  t.year = static_cast<int64_t>(yoe) + era * 400 + (t.month <= 2);
  return t;
}

// A cursor over the text being parsed.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }

  bool Consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // Reads exactly `count` digits, or nothing when there are fewer.
  bool Digits(int count, int64_t* value) {
    const size_t start = pos_;
    int64_t result = 0;
    for (int i = 0; i < count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(peek()))) {
        pos_ = start;
        return false;
      }
      result = result * 10 + (text_[pos_++] - '0');
    }
    *value = result;
    return true;
  }

  // Reads one or more digits as a fraction: ".5" -> 0.5.
  bool Fraction(double* value) {
    double scale = 0.1;
    double result = 0;
    size_t start = pos_;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      result += (text_[pos_++] - '0') * scale;
      scale /= 10;
    }
    *value = result;
    return pos_ > start;
  }

  void SkipSpaces() {
    while (peek() == ' ') ++pos_;
  }

  std::string_view Word() {
    size_t start = pos_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool ValidDateTime(int64_t month, int64_t day, int64_t hour, int64_t minute,
                   int64_t second) {
  // Second 60 is a leap second, which ISO 8601 and RFC 822 both allow.
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 &&
         minute <= 59 && second <= 60;
}

double ToEpoch(int64_t year, int64_t month, int64_t day, int64_t hour,
               int64_t minute, int64_t second) {
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month),
                                     static_cast<unsigned>(day));
  return static_cast<double>(days * 86400 + hour * 3600 + minute * 60 +
                             second);
}

// Parses "+HH:MM", "+HHMM" or "+HH" (or '-') into seconds east of UTC.
bool ParseOffset(Scanner& in, int64_t* offset_seconds) {
  int sign = 1;
  if (in.Consume('-')) {
    sign = -1;
  } else if (!in.Consume('+')) {
    return false;
  }
  int64_t hours = 0;
  int64_t minutes = 0;
  if (!in.Digits(2, &hours)) return false;
  if (!in.done()) {
    in.Consume(':');
    if (!in.Digits(2, &minutes)) return false;
  }
  if (hours > 23 || minutes > 59) return false;
  *offset_seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

std::string FormatIso8601(double epoch_seconds) {
  const CivilTime t = ToCivil(epoch_seconds);
  char buffer[64];
  if (t.millisecond != 0) {
    std::snprintf(buffer, sizeof(buffer),
                  "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
                  static_cast<long long>(t.year), t.month, t.day, t.hour,
                  t.minute, t.second, t.millisecond);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%04lld-%02u-%02uT%02u:%02u:%02uZ",
                  static_cast<long long>(t.year), t.month, t.day, t.hour,
                  t.minute, t.second);
  }
  return buffer;
}

std::string FormatRfc822(double epoch_seconds) {
  const CivilTime t = ToCivil(std::floor(epoch_seconds));
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%s, %02u %s %04lld %02u:%02u:%02u GMT",
                kWeekdays[t.weekday], t.day, kMonths[t.month - 1],
                static_cast<long long>(t.year), t.hour, t.minute, t.second);
  return buffer;
}

std::string FormatEpochSeconds(double epoch_seconds) {
  const int64_t total_ms = std::llround(epoch_seconds * 1000.0);
  char buffer[64];
  if (total_ms % 1000 == 0) {
    std::snprintf(buffer, sizeof(buffer), "%lld",
                  static_cast<long long>(total_ms / 1000));
    return buffer;
  }
  std::snprintf(buffer, sizeof(buffer), "%.3f",
                static_cast<double>(total_ms) / 1000.0);
  // Trim trailing zeros of the fraction: 1.500 -> 1.5.
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  return text;
}

std::string FormatTimestamp(double epoch_seconds, TimestampFormat format) {
  switch (format) {
    case TimestampFormat::kRfc822:
      return FormatRfc822(epoch_seconds);
    case TimestampFormat::kUnixTimestamp:
      return FormatEpochSeconds(epoch_seconds);
    case TimestampFormat::kIso8601:
    case TimestampFormat::kDefault:
      break;
  }
  return FormatIso8601(epoch_seconds);
}

std::optional<double> ParseIso8601(std::string_view text) {
  Scanner in(text);
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!in.Digits(4, &year) || !in.Consume('-') || !in.Digits(2, &month) ||
      !in.Consume('-') || !in.Digits(2, &day)) {
    return std::nullopt;
  }
  if (!in.Consume('T') && !in.Consume('t') && !in.Consume(' ')) {
    return std::nullopt;
  }
  if (!in.Digits(2, &hour) || !in.Consume(':') || !in.Digits(2, &minute) ||
      !in.Consume(':') || !in.Digits(2, &second)) {
    return std::nullopt;
  }
  double fraction = 0;
  if ((in.Consume('.') || in.Consume(',')) && !in.Fraction(&fraction)) {
    return std::nullopt;
  }
  int64_t offset = 0;
  if (in.Consume('Z') || in.Consume('z')) {
    // UTC.
  } else if (!in.done() && !ParseOffset(in, &offset)) {
    return std::nullopt;
  }
  if (!in.done() || !ValidDateTime(month, day, hour, minute, second)) {
    return std::nullopt;
  }
  return ToEpoch(year, month, day, hour, minute, second) - offset + fraction;
}

std::optional<double> ParseRfc822(std::string_view text) {
  Scanner in(text);
  in.SkipSpaces();

  // Optional weekday, e.g. "Tue,".
  if (std::isalpha(static_cast<unsigned char>(in.peek()))) {
    in.Word();
    if (!in.Consume(',')) return std::nullopt;
    in.SkipSpaces();
  }

  int64_t day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!in.Digits(2, &day) && !in.Digits(1, &day)) return std::nullopt;
  in.SkipSpaces();
  std::string_view month_name = in.Word();
  int64_t month = 0;
  for (int i = 0; i < 12; ++i) {
    if (month_name.size() == 3 &&
        std::tolower(static_cast<unsigned char>(month_name[0])) ==
            std::tolower(static_cast<unsigned char>(kMonths[i][0])) &&
        std::tolower(static_cast<unsigned char>(month_name[1])) == kMonths[i][1] &&
        std::tolower(static_cast<unsigned char>(month_name[2])) == kMonths[i][2]) {
      month = i + 1;
    }
  }
  if (month == 0) return std::nullopt;
  in.SkipSpaces();
  if (!in.Digits(4, &year)) return std::nullopt;
  in.SkipSpaces();
  if (!in.Digits(2, &hour) || !in.Consume(':') || !in.Digits(2, &minute) ||
      !in.Consume(':') || !in.Digits(2, &second)) {
    return std::nullopt;
  }
  double fraction = 0;
  if (in.Consume('.') && !in.Fraction(&fraction)) return std::nullopt;
  in.SkipSpaces();

  int64_t offset = 0;
  if (in.peek() == '+' || in.peek() == '-') {
    if (!ParseOffset(in, &offset)) return std::nullopt;
  } else {
    std::string_view zone = in.Word();
    if (zone != "GMT" && zone != "UTC" && zone != "Z" && !zone.empty()) {
      return std::nullopt;
    }
  }
  in.SkipSpaces();
  if (!in.done() || !ValidDateTime(month, day, hour, minute, second)) {
    return std::nullopt;
  }
  return ToEpoch(year, month, day, hour, minute, second) - offset + fraction;
}

std::optional<double> ParseEpochSeconds(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' &&
        c != '+' && c != 'e' && c != 'E') {
      return std::nullopt;
    }
  }
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseTimestamp(std::string_view text) {
  if (auto epoch = ParseEpochSeconds(text)) return epoch;
  if (auto iso = ParseIso8601(text)) return iso;
  return ParseRfc822(text);
}

TimestampFormat EffectiveTimestampFormat(Protocol protocol, Location location,
                                         const Member* member,
                                         const Shape& shape) {
  if (member != nullptr &&
      member->timestamp_format != TimestampFormat::kDefault) {
    return member->timestamp_format;
  }
  if (shape.timestamp_format != TimestampFormat::kDefault) {
    return shape.timestamp_format;
  }
  switch (location) {
    case Location::kHeader:
    case Location::kHeaders:
      return TimestampFormat::kRfc822;
    case Location::kUri:
    case Location::kQueryString:
      return TimestampFormat::kIso8601;
    case Location::kBody:
    case Location::kStatusCode:
      break;
  }
  switch (protocol) {
    case Protocol::kJson:
    case Protocol::kRestJson:
    case Protocol::kRpcV2Cbor:
      return TimestampFormat::kUnixTimestamp;
    case Protocol::kQuery:
    case Protocol::kEc2:
    case Protocol::kRestXml:
      break;
  }
  return TimestampFormat::kIso8601;
}

}  // namespace brume::aws::codec
