#!/bin/sh
# Renders one of infra's templates: replaces each @NAME@ with its value and refuses to leave any
# @NAME@ unreplaced. POSIX sh and sed only, so it runs in the Prometheus image (busybox) as well.
#   infra/render-template.sh TEMPLATE OUTPUT NAME=VALUE...
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 TEMPLATE OUTPUT NAME=VALUE..." >&2
  exit 2
fi
template=$1
output=$2
shift 2

script=''
for pair in "$@"; do
  name=${pair%%=*}
  value=${pair#*=}
  # The value goes into the replacement side of s|…|…|: escape \, & and the delimiter.
  escaped=$(printf '%s' "$value" | sed 's/[\\&|]/\\&/g')
  script="$script
s|@$name@|$escaped|g"
done

temporary="$output.tmp.$$"
sed "$script" "$template" >"$temporary"
if grep -n '@[A-Z][A-Z_]*@' "$temporary" >&2; then
  echo "$0: $template: the placeholders above were given no value" >&2
  rm -f "$temporary"
  exit 1
fi
mv "$temporary" "$output"
