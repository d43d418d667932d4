#pragma once

// Timestamp wire formats of the AWS protocols. Documents carry timestamps as
// seconds since the epoch (possibly fractional), and these helpers convert
// them to and from the three text forms the service models name.

#include <optional>
#include <string>
#include <string_view>

#include "aws/model.h"

namespace brume::aws::codec {

// Formats as ISO 8601 in UTC: "2024-01-02T03:04:05Z", or with milliseconds
// ("2024-01-02T03:04:05.123Z") when the value has a fractional part.
std::string FormatIso8601(double epoch_seconds);

// Formats as an RFC 822 / HTTP date: "Tue, 02 Jan 2024 03:04:05 GMT".
// Fractional seconds are dropped, as HTTP dates have none.
std::string FormatRfc822(double epoch_seconds);

// Formats as epoch seconds: "1704164645", or "1704164645.123" when the
// value has a fractional part (rounded to milliseconds).
std::string FormatEpochSeconds(double epoch_seconds);

// Formats in `format`; kDefault formats as ISO 8601.
std::string FormatTimestamp(double epoch_seconds, TimestampFormat format);

// Parses ISO 8601 date-times: "2024-01-02T03:04:05Z", with fractional
// seconds, a 't'/'z' in lower case, a space instead of 'T', or a UTC offset
// ("+02:00", "-0530"). A missing offset means UTC.
std::optional<double> ParseIso8601(std::string_view text);

// Parses RFC 822 / HTTP dates, with or without the weekday, in GMT, UTC or
// a numeric offset ("+0000").
std::optional<double> ParseRfc822(std::string_view text);

// Parses epoch seconds, possibly fractional or in exponent notation.
std::optional<double> ParseEpochSeconds(std::string_view text);

// Parses any of the three forms above.
std::optional<double> ParseTimestamp(std::string_view text);

// Returns the format a timestamp takes on the wire: the member's
// timestampFormat, else its shape's, else the default of the protocol and
// location. Headers default to rfc822, query strings and URI labels to
// iso8601, json, rest-json and cbor bodies to epoch seconds, and query, ec2
// and rest-xml bodies to iso8601. `member` may be null (list items, map
// values).
TimestampFormat EffectiveTimestampFormat(Protocol protocol, Location location,
                                         const Member* member,
                                         const Shape& shape);

}  // namespace brume::aws::codec
