#!/usr/bin/env bash
# Installs what brume needs from Debian packages. Always: the build
# toolchain, the libraries and Debian's older botocore models, whose SQS and
# CloudWatch query traits the model generator reads. With --test also the
# test tools: pytest, Debian's boto3 (an older query protocol client) and
# nginx (the benchmark's ceiling).
# Installs only what is missing, so a second run costs nothing.
set -euo pipefail

build_packages=(
  cmake ninja-build g++ ccache pkg-config
  libboost-dev nlohmann-json3-dev libpugixml-dev libspdlog-dev libfmt-dev
  libcli11-dev libsqlite3-dev libssl-dev zlib1g-dev libgtest-dev libgmock-dev
  libxxhash-dev
  # The older SQS and CloudWatch query models, whose XML traits the model
  # generator overlays onto the current JSON models.
  python3-botocore
)
test_packages=(
  python3-pytest python3-pytest-timeout python3-boto3
  nginx-light nodejs npm
)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for package in "${wanted[@]}"; do
  # node and npm often come from outside Debian; any working copy will do.
  if [[ "$package" == nodejs || "$package" == npm ]] && command -v "${package/nodejs/node}" >/dev/null; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done

if ((${#missing[@]})); then
  echo "brume: installing Debian packages: ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The model generator reads the AWS service models that botocore ships.
if ! python3 -c "import botocore" 2>/dev/null; then
  echo "brume: the first python3 on PATH ($(command -v python3)) has no botocore;" \
       "install it (pip install botocore) or put a python3 that has it first on PATH" >&2
  exit 1
fi
