#!/usr/bin/env python3
"""Generate brume's compact model tables from botocore's service models.

Usage: generate_models.py --out DIR ID [ID ...]

For every botocore service id this writes DIR/<id>.cc, which defines the
tables declared in src/aws/model.h, and DIR/index.cc with AllServiceModels(),
FindServiceModel() and ModelsVersion(). A file is rewritten only when its
content changes, so ninja rebuilds only what changed.

Table conventions that model.h leaves open:
- Shape::payload_member and Operation/Shape member ranges are absolute
  indexes into ServiceModel::members.
- Shape::error_http_status is the error trait's httpStatusCode, or 400 (500
  for "fault" shapes) for exception shapes without one, and 0 otherwise.
- A member whose reference carries "streaming" (S3's Body members point at a
  plain blob shape) gets kMemberStreaming, and its target shape gets
  kShapeStreaming.

Services that AWS also serves in the query protocol but whose current model
is JSON (awsQueryCompatible: SQS, CloudWatch) lack the XML traits the query
codec needs. When Debian's python3-botocore is installed and still has the
query model of such a service, its resultWrapper, locationName, flattened,
error and xmlNamespace traits are copied onto the tables.
"""

import argparse
import gzip
import json
import os
import sys

DEBIAN_BOTOCORE_DATA = "/usr/lib/python3/dist-packages/botocore/data"

PROTOCOLS = {
    "query": 0,
    "ec2": 1,
    "json": 2,
    "rest-json": 3,
    "rest-xml": 4,
    "smithy-rpc-v2-cbor": 5,
}
PROTOCOL_ENUM = ["kQuery", "kEc2", "kJson", "kRestJson", "kRestXml",
                 "kRpcV2Cbor"]

SHAPE_TYPES = {
    "structure": "St", "union": "Un", "list": "Li", "map": "Ma",
    "string": "Sg", "boolean": "Bo", "byte": "By", "short": "Sh",
    "integer": "In", "long": "Lo", "float": "Fl", "double": "Do",
    "bigInteger": "BI", "bigDecimal": "BD", "timestamp": "Ts", "blob": "Bl",
    "document": "Dc",
}
SHAPE_TYPE_ENUM = {
    "St": "kStructure", "Un": "kUnion", "Li": "kList", "Ma": "kMap",
    "Sg": "kString", "Bo": "kBoolean", "By": "kByte", "Sh": "kShort",
    "In": "kInteger", "Lo": "kLong", "Fl": "kFloat", "Do": "kDouble",
    "BI": "kBigInteger", "BD": "kBigDecimal", "Ts": "kTimestamp",
    "Bl": "kBlob", "Dc": "kDocument",
}
LOCATIONS = {None: "LB", "header": "LH", "headers": "LP", "uri": "LU",
             "querystring": "LQ", "statusCode": "LS"}
LOCATION_ENUM = {"LB": "kBody", "LH": "kHeader", "LP": "kHeaders",
                 "LU": "kUri", "LQ": "kQueryString", "LS": "kStatusCode"}
TIMESTAMP_FORMATS = {None: "TD", "iso8601": "TI", "rfc822": "TR",
                     "unixTimestamp": "TU"}
TIMESTAMP_ENUM = {"TD": "kDefault", "TI": "kIso8601", "TR": "kRfc822",
                  "TU": "kUnixTimestamp"}

# Member flags (model.h).
MEMBER_REQUIRED = 1 << 0
MEMBER_XML_ATTRIBUTE = 1 << 1
MEMBER_FLATTENED = 1 << 2
MEMBER_IDEMPOTENCY_TOKEN = 1 << 3
MEMBER_HOST_LABEL = 1 << 4
MEMBER_PAYLOAD = 1 << 5
MEMBER_JSON_VALUE = 1 << 6
MEMBER_EVENT_PAYLOAD = 1 << 7
MEMBER_DEPRECATED = 1 << 8
MEMBER_STREAMING = 1 << 9

# Shape flags (model.h).
SHAPE_EXCEPTION = 1 << 0
SHAPE_FLATTENED = 1 << 1
SHAPE_SENSITIVE = 1 << 2
SHAPE_STREAMING = 1 << 3
SHAPE_REQUIRES_LENGTH = 1 << 4
SHAPE_EVENT_STREAM = 1 << 5
SHAPE_HAS_MIN = 1 << 6
SHAPE_HAS_MAX = 1 << 7
SHAPE_SENDER_FAULT = 1 << 8
SHAPE_WRAPPER = 1 << 9


def fail(message):
    sys.stderr.write(f"generate_models.py: error: {message}\n")
    sys.exit(1)


def warn(message):
    sys.stderr.write(f"generate_models.py: warning: {message}\n")


def load_service_json(folder):
    """Loads service-2.json or service-2.json.gz from a version folder."""
    plain = os.path.join(folder, "service-2.json")
    if os.path.exists(plain):
        with open(plain, encoding="utf-8") as f:
            return json.load(f)
    if os.path.exists(plain + ".gz"):
        with gzip.open(plain + ".gz", "rt", encoding="utf-8") as f:
            return json.load(f)
    return None


def load_newest_model(data_dir, service_id):
    """Returns the model of the newest api-version folder that has one."""
    service_dir = os.path.join(data_dir, service_id)
    if not os.path.isdir(service_dir):
        return None
    for version in sorted(os.listdir(service_dir), reverse=True):
        model = load_service_json(os.path.join(service_dir, version))
        if model is not None:
            return model
    return None


def c_string(value):
    """Renders a C++ string literal, or nullptr for None."""
    if value is None:
        return "nullptr"
    out = ['"']
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F and ch != "?":
            out.append(ch)
        else:
            # Octal escapes take at most three digits, so unlike \x they
            # cannot swallow a following hex-looking character.
            out.append("\\%03o" % byte)
    out.append('"')
    return "".join(out)


def c_double(value):
    text = repr(float(value))
    if text in ("inf", "-inf", "nan"):
        fail(f"unsupported constraint value {value}")
    return text


def apply_query_overlay(service_id, model):
    """Copies the XML traits of Debian's query model onto `model`."""
    debian = load_newest_model(DEBIAN_BOTOCORE_DATA, service_id)
    if debian is None or debian["metadata"].get("protocol") != "query":
        # TODO: ship the query traits (resultWrapper, flattened lists,
        # locationName) of awsQueryCompatible services with brume instead of
        # relying on Debian's python3-botocore.
        warn(f"{service_id}: no query model found under "
             f"{DEBIAN_BOTOCORE_DATA} (install Debian's python3-botocore); "
             "the query protocol of this service will lack resultWrapper, "
             "flattened and locationName traits")
        return
    metadata = model["metadata"]
    if "xmlNamespace" not in metadata and "xmlNamespace" in debian["metadata"]:
        metadata["xmlNamespace"] = debian["metadata"]["xmlNamespace"]

    for name, operation in model["operations"].items():
        old = debian["operations"].get(name)
        if not old or "output" not in operation or "output" not in old:
            continue
        wrapper = old["output"].get("resultWrapper")
        if wrapper and "resultWrapper" not in operation["output"]:
            operation["output"]["resultWrapper"] = wrapper

    def merge_ref(ref, old_ref):
        for trait in ("locationName", "flattened", "xmlNamespace",
                      "xmlAttribute"):
            if trait in old_ref and trait not in ref:
                ref[trait] = old_ref[trait]

    for name, shape in model["shapes"].items():
        old = debian["shapes"].get(name)
        if not old or old.get("type") != shape.get("type"):
            continue
        for trait in ("flattened", "locationName", "wrapper"):
            if trait in old and trait not in shape:
                shape[trait] = old[trait]
        if shape.get("exception") and "error" in old:
            error = shape.setdefault("error", {})
            for key, value in old["error"].items():
                error.setdefault(key, value)
        for key in ("member", "key", "value"):
            if key in shape and key in old:
                merge_ref(shape[key], old[key])
        for member_name, ref in shape.get("members", {}).items():
            old_ref = old.get("members", {}).get(member_name)
            if old_ref:
                merge_ref(ref, old_ref)


class Tables:
    """The flattened tables of one service, in emission order."""

    def __init__(self, model):
        self.model = model
        shapes = model["shapes"]
        self.shape_names = sorted(shapes)
        self.shape_index = {n: i for i, n in enumerate(self.shape_names)}
        self.members = []  # rendered initialisers
        self.enum_values = []
        self.error_shapes = []
        self.shape_rows = []
        self.operation_rows = []
        self.streaming_shapes = set()
        for shape in shapes.values():
            for ref in shape.get("members", {}).values():
                if ref.get("streaming"):
                    self.streaming_shapes.add(ref["shape"])
        for name in self.shape_names:
            self.shape_rows.append(self.render_shape(name, shapes[name]))
        for name in sorted(model["operations"]):
            self.operation_rows.append(
                self.render_operation(name, model["operations"][name]))

    def add_member(self, name, ref, required, payload_name):
        flags = 0
        if required:
            flags |= MEMBER_REQUIRED
        if ref.get("xmlAttribute"):
            flags |= MEMBER_XML_ATTRIBUTE
        if ref.get("flattened"):
            flags |= MEMBER_FLATTENED
        if ref.get("idempotencyToken"):
            flags |= MEMBER_IDEMPOTENCY_TOKEN
        if ref.get("hostLabel"):
            flags |= MEMBER_HOST_LABEL
        if payload_name is not None and payload_name == name:
            flags |= MEMBER_PAYLOAD
        if ref.get("jsonvalue"):
            flags |= MEMBER_JSON_VALUE
        if ref.get("eventpayload"):
            flags |= MEMBER_EVENT_PAYLOAD
        if ref.get("deprecated"):
            flags |= MEMBER_DEPRECATED
        if ref.get("streaming"):
            flags |= MEMBER_STREAMING
        location_name = ref.get("locationName")
        if location_name == name:
            location_name = None
        namespace = ref.get("xmlNamespace") or {}
        if isinstance(namespace, str):
            namespace = {"uri": namespace}
        target = ref["shape"]
        if target not in self.shape_index:
            fail(f"member {name} refers to unknown shape {target}")
        row = "{%s,%d,%s,%s,%d,%s,%s,%s,%s}" % (
            c_string(name), self.shape_index[target],
            LOCATIONS[ref.get("location")],
            TIMESTAMP_FORMATS[ref.get("timestampFormat")], flags,
            c_string(location_name), c_string(ref.get("queryName")),
            c_string(namespace.get("uri")), c_string(namespace.get("prefix")))
        self.members.append(row)
        return len(self.members) - 1

    def render_shape(self, name, shape):
        kind = shape["type"]
        if kind == "structure" and shape.get("union"):
            kind = "union"
        if kind == "structure" and shape.get("document"):
            kind = "document"
        if kind not in SHAPE_TYPES:
            fail(f"shape {name} has unknown type {kind}")

        flags = 0
        if shape.get("exception"):
            flags |= SHAPE_EXCEPTION
        if shape.get("flattened"):
            flags |= SHAPE_FLATTENED
        if shape.get("sensitive"):
            flags |= SHAPE_SENSITIVE
        if shape.get("streaming") or name in self.streaming_shapes:
            flags |= SHAPE_STREAMING
        if shape.get("requiresLength"):
            flags |= SHAPE_REQUIRES_LENGTH
        if shape.get("eventstream"):
            flags |= SHAPE_EVENT_STREAM
        if "min" in shape:
            flags |= SHAPE_HAS_MIN
        if "max" in shape:
            flags |= SHAPE_HAS_MAX
        if shape.get("wrapper"):
            flags |= SHAPE_WRAPPER

        error = shape.get("error") or {}
        error_status = 0
        if shape.get("exception"):
            error_status = error.get("httpStatusCode",
                                     500 if shape.get("fault") else 400)
            if error.get("senderFault") or (
                    not shape.get("fault") and error_status < 500):
                flags |= SHAPE_SENDER_FAULT
        error_code = error.get("code")
        if error_code == name:
            error_code = None

        members_begin = len(self.members)
        members_count = 0
        payload_member = "U"
        if kind in ("structure", "union"):
            required = set(shape.get("required", []))
            payload_name = shape.get("payload")
            for member_name, ref in shape.get("members", {}).items():
                index = self.add_member(member_name, ref,
                                        member_name in required, payload_name)
                if member_name == payload_name:
                    payload_member = str(index)
                members_count += 1
        elif kind == "list":
            self.add_member("member", shape["member"], False, None)
            members_count = 1
        elif kind == "map":
            self.add_member("key", shape["key"], False, None)
            self.add_member("value", shape["value"], False, None)
            members_count = 2
        if members_count == 0:
            members_begin = 0

        enum_begin = len(self.enum_values)
        enum_values = shape.get("enum", [])
        self.enum_values.extend(enum_values)
        if not enum_values:
            enum_begin = 0

        namespace = shape.get("xmlNamespace") or {}
        if isinstance(namespace, str):
            namespace = {"uri": namespace}
        return "{%s,%s,%s,%d,%d,%d,%s,%s,%s,%d,%d,%s,%s,%d,%s,%s}" % (
            c_string(name), SHAPE_TYPES[kind],
            TIMESTAMP_FORMATS[shape.get("timestampFormat")], flags,
            members_begin, members_count,
            c_double(shape.get("min", 0)), c_double(shape.get("max", 0)),
            c_string(shape.get("pattern")), enum_begin, len(enum_values),
            payload_member, c_string(error_code), error_status,
            c_string(shape.get("locationName")), c_string(namespace.get("uri")))

    def shape_ref(self, ref):
        if not ref:
            return "U"
        return str(self.shape_index[ref["shape"]])

    def render_operation(self, name, operation):
        http = operation.get("http", {})
        errors_begin = len(self.error_shapes)
        for error in operation.get("errors", []):
            self.error_shapes.append(self.shape_index[error["shape"]])
        errors_count = len(self.error_shapes) - errors_begin
        if errors_count == 0:
            errors_begin = 0
        auth_none = (operation.get("authtype") == "none" or
                     operation.get("auth") == ["smithy.api#noAuth"])
        checksum = operation.get("httpChecksum", {})
        checksum_required = bool(operation.get("httpChecksumRequired") or
                                 checksum.get("requestChecksumRequired"))
        output = operation.get("output") or {}
        return "{%s,%s,%s,%d,%s,%s,%s,%d,%d,%s,%s,%s}" % (
            c_string(name), c_string(http.get("method", "POST")),
            c_string(http.get("requestUri", "/")),
            http.get("responseCode", 200), self.shape_ref(operation.get("input")),
            self.shape_ref(operation.get("output")),
            c_string(output.get("resultWrapper")), errors_begin, errors_count,
            "true" if auth_none else "false",
            "true" if checksum_required else "false",
            c_string(operation.get("endpoint", {}).get("hostPrefix")))


def symbol_for(service_id):
    return "model_" + "".join(c if c.isalnum() else "_" for c in service_id)


def render_service(service_id, model):
    metadata = model["metadata"]
    protocols = metadata.get("protocols") or [metadata["protocol"]]
    bits = 0
    for name in protocols:
        if name not in PROTOCOLS:
            fail(f"{service_id}: unknown protocol {name}")
        bits |= 1 << PROTOCOLS[name]
    query_compatible = "awsQueryCompatible" in metadata
    if query_compatible:
        # Older SDKs and the AWS CLI v1 still call these services in query.
        bits |= 1 << PROTOCOLS["query"]
    preferred = metadata.get("protocol", protocols[0])
    if preferred not in PROTOCOLS:
        fail(f"{service_id}: unknown protocol {preferred}")
    if bits & (1 << PROTOCOLS["query"]) and preferred != "query":
        apply_query_overlay(service_id, model)

    tables = Tables(model)
    out = []
    out.append(f"// Generated by src/aws/codegen/generate_models.py from "
               f"botocore's {service_id} model. Do not edit.\n")
    out.append('#include "aws/model.h"\n\n')
    out.append("namespace brume::aws::generated {\nnamespace {\n")
    for short, full in SHAPE_TYPE_ENUM.items():
        out.append(f"constexpr ShapeType {short} = ShapeType::{full};\n")
    for short, full in LOCATION_ENUM.items():
        out.append(f"constexpr Location {short} = Location::{full};\n")
    for short, full in TIMESTAMP_ENUM.items():
        out.append(f"constexpr TimestampFormat {short} = "
                   f"TimestampFormat::{full};\n")
    out.append("constexpr uint32_t U = kNoShape;\n\n")

    def array(kind, name, rows):
        if not rows:
            out.append(f"const {kind} {name}[1] = {{}};\n")
            return f"std::span<const {kind}>({name}, 0)"
        out.append(f"const {kind} {name}[] = {{\n")
        for row in rows:
            out.append(row + ",\n")
        out.append("};\n")
        return f"std::span<const {kind}>({name})"

    operations = array("Operation", "kOperations", tables.operation_rows)
    shapes = array("Shape", "kShapes", tables.shape_rows)
    members = array("Member", "kMembers", tables.members)
    enums = array("char* const", "kEnumValues",
                  [c_string(v) for v in tables.enum_values])
    errors = array("uint32_t", "kErrorShapes",
                   [str(i) for i in tables.error_shapes])
    out.append("\n}  // namespace\n\n")

    symbol = symbol_for(service_id)
    fields = [
        c_string(service_id),
        c_string(metadata.get("apiVersion")),
        c_string(metadata.get("endpointPrefix")),
        c_string(metadata.get("signingName", metadata.get("endpointPrefix"))),
        c_string(metadata.get("targetPrefix")),
        c_string(metadata.get("jsonVersion")),
        c_string(metadata.get("xmlNamespace")),
        c_string(metadata.get("serviceId")),
        c_string(metadata.get("serviceFullName")),
        "Protocol::" + PROTOCOL_ENUM[PROTOCOLS[preferred]],
        str(bits),
        "true" if query_compatible else "false",
        operations, shapes, members, enums, errors,
    ]
    out.append(f"extern const ServiceModel {symbol};\n")
    out.append(f"const ServiceModel {symbol} = {{\n    ")
    out.append(",\n    ".join(fields))
    out.append("};\n\n}  // namespace brume::aws::generated\n")
    return "".join(out)


def render_index(service_ids, version):
    ordered = sorted(service_ids)
    out = ["// Generated by src/aws/codegen/generate_models.py. Do not edit.\n",
           "#include <algorithm>\n\n", '#include "aws/model.h"\n\n',
           "namespace brume::aws {\nnamespace generated {\n"]
    for service_id in ordered:
        out.append(f"extern const ServiceModel {symbol_for(service_id)};\n")
    out.append("}  // namespace generated\n\nnamespace {\n")
    out.append("const ServiceModel* const kModels[] = {\n")
    for service_id in ordered:
        out.append(f"    &generated::{symbol_for(service_id)},\n")
    out.append("};\n}  // namespace\n\n")
    out.append("std::span<const ServiceModel* const> AllServiceModels() {\n"
               "  return kModels;\n}\n\n")
    out.append(
        "const ServiceModel* FindServiceModel(std::string_view id) {\n"
        "  auto it = std::lower_bound(\n"
        "      std::begin(kModels), std::end(kModels), id,\n"
        "      [](const ServiceModel* m, std::string_view key) {\n"
        "        return std::string_view(m->id) < key;\n"
        "      });\n"
        "  if (it == std::end(kModels) || (*it)->id != id) return nullptr;\n"
        "  return *it;\n}\n\n")
    out.append("std::string_view ModelsVersion() { return %s; }\n\n"
               % c_string(version))
    out.append("}  // namespace brume::aws\n")
    return "".join(out)


def write_if_changed(path, content):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == content:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(
        description="Generate brume's C++ model tables from botocore.")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("ids", nargs="+", help="botocore service ids")
    args = parser.parse_args()

    try:
        import botocore
    except ImportError:
        fail(f"botocore is not importable by {sys.executable}; run the "
             "generator with the python3 that has botocore "
             "(pip install botocore)")
    data_dir = os.path.join(os.path.dirname(botocore.__file__), "data")

    os.makedirs(args.out, exist_ok=True)
    for service_id in args.ids:
        model = load_newest_model(data_dir, service_id)
        if model is None:
            fail(f"no service-2.json for {service_id} under {data_dir}")
        write_if_changed(os.path.join(args.out, service_id + ".cc"),
                         render_service(service_id, model))
    write_if_changed(os.path.join(args.out, "index.cc"),
                     render_index(args.ids, botocore.__version__))


if __name__ == "__main__":
    main()
