# Sourced by scripts/test.sh. The tests run on the first python3 on PATH,
# which has boto3, botocore and the AWS CLI. pytest comes from Debian's
# packages, because PyPI is out of reach. A directory of symlinks exposes
# only the modules that python3 cannot already import, so Debian's older
# boto3 never shadows the newer one.
pydeps="$PWD/build/pydeps"
mkdir -p "$pydeps"
dist=/usr/lib/python3/dist-packages
for module in _pytest pytest pluggy iniconfig packaging attr attrs pytest_timeout py; do
  python3 -c "import $module" 2>/dev/null && continue
  for source in "$dist/$module" "$dist/$module.py"; do
    [[ -e "$source" ]] && ln -sfn "$source" "$pydeps/$(basename "$source")"
  done
done
export PYTHONPATH="$pydeps${PYTHONPATH:+:$PYTHONPATH}"
