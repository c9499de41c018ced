#!/usr/bin/env bash
# Extracts the King James Version (public domain, Debian package bible-kjv-text, read through the
# `bible` program of package bible-kjv) into a plain text corpus: one chapter per block, a verse a
# line, verse numbers removed.  Runs where Debian packages can be installed (the build machine);
# the GPU machine gets the resulting file.
#   functions/models/training/make_corpus.sh OUT.txt
set -euo pipefail
out=${1:?usage: make_corpus.sh OUT.txt}
if ! command -v bible >/dev/null; then
  apt-get install -y -qq bible-kjv bible-kjv-text >/dev/null
fi
# -l0: no line wrapping.  Chapter headings ("Genesis 1") become blank-line separators.
bible -l0 'Gen1:1-Rev22:21' \
  | sed -E 's/^[[:space:]]+[0-9]+ //' \
  | awk 'NF==0 {next} /^[1-3]? ?[A-Z][A-Za-z ]+ [0-9]+$/ {print ""; next} {print}' \
  | sed '1{/^$/d}' > "$out"
echo "corpus: $(wc -l < "$out") lines, $(wc -c < "$out") bytes, sha256 $(sha256sum "$out" | cut -c1-16)"
