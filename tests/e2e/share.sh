# `sparkbench share`: two runs with a planted host name, user name and home path (in the records'
# host fields and the config's directory), planted addresses (in a command's output) and a secret
# an older record kept in plain text; the archive's every file — records, their reports, the
# comparison — and every file name hold none of the originals, and each placeholder is the same
# across files. Bad input is refused before anything is written.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
HOST=planted-host.example.org
USERNAME=planteduser
IP4=203.0.113.77
IP6=2001:db8:85a3::8a2e:370:7334
MAC=02:42:ac:11:00:99
SECRET=hf_OLDRECORDsecret9

mkdir -p "home/$USERNAME/bench"
cat > "home/$USERNAME/bench/share.yaml" <<EOF
commands:
  serve:
    argv: [sh, -c, "echo value 1.5 served by $USERNAME on $HOST at $IP4 [$IP6] mac $MAC"]
    metrics:
      - {name: value, unit: x, better: higher, regex: "value ([0-9.]+)"}
EOF
for label in a b; do
  "$SB" run --config "home/$USERNAME/bench/share.yaml" --workload command:serve --reps 3 --out results --label "$label" \
    >"run-$label.out" 2>"run-$label.err" || { cat "run-$label.err"; fail "run $label failed"; }
done
# The machine's name in the records becomes the planted one (records are dumped one key a line),
# and record b is made to look like an older record that kept a secret.
real_host=$(hostname)
for rec in results/*/*.json; do
  sed -i -e "s/^ \"host\": \"$real_host\",/ \"host\": \"$HOST\",/" \
    -e "s/^   \"hostname\": \"$real_host\",/   \"hostname\": \"$HOST\",/" "$rec"
  grep -q "\"host\": \"$HOST\"" "$rec" && grep -q "\"hostname\": \"$HOST\"" "$rec" || fail "$rec: the host name was not planted"
done
rec_b=$(cat run-b.out)
sed -i "s/^   \"PATH\": \"/   \"HF_TOKEN\": \"$SECRET\",\n   \"PATH\": \"/" "$rec_b"
grep -q "$SECRET" "$rec_b" || fail "the secret was not planted"

"$SB" share results/a results/b -o shared.tar.gz >share.out 2>share.err || { cat share.err; fail "share failed"; }
[ "$(cat share.out | tail -n 1)" = shared.tar.gz ] || { cat share.out; fail "share did not print the archive's path"; }
grep -q "the comparison in sparkbench-share/report/" share.err || { cat share.err; fail "share made no comparison report"; }
mkdir x && tar -xzf shared.tar.gz -C x || fail "the archive does not extract"
[ -f x/sparkbench-share/report/report.md ] && [ -f x/sparkbench-share/report/summary.json ] &&
  [ -f x/sparkbench-share/report/summary.csv ] || { find x; fail "the comparison report is not in the archive"; }
[ "$(find x/sparkbench-share/records -name '*.json' | wc -l)" = 2 ] || { find x; fail "the archive does not hold 2 records"; }
[ "$(find x/sparkbench-share/records -name '*.md' | wc -l)" = 2 ] || { find x; fail "the records' own reports are missing"; }
tar -tvzf shared.tar.gz >listing.txt
grep -vE "^[^ ]+ 0/0 " listing.txt && fail "files in the archive carry an owner other than 0/0 (above)"

# None of the originals, in any file or file name; the short host name neither. This machine's own
# name is looked for as a word (it may be short, like "vm", and part of other words).
for original in "$HOST" planted-host "$USERNAME" "$IP4" "$IP6" "$MAC" "$SECRET"; do
  if grep -rlF -- "$original" x || find x | grep -F -- "$original"; then fail "'$original' is in the archive (above)"; fi
done
case "$real_host" in
  localhost | localhost.localdomain | sparkbench) ;;  # identify no one: kept (record/anonymize.hpp)
  # -I: a short name such as "vm" occurs as a "word" by chance in the bytes of a PNG; the SVG beside it is text.
  *) if grep -rlwIF -- "$real_host" x || find x | grep -wF -- "$real_host"; then fail "this machine's name is in the archive (above)"; fi ;;
esac
grep -rqF "<redacted>" x/sparkbench-share/records || fail "the planted secret is not marked <redacted>"

# Consistent: both records, their reports and the comparison name the same placeholders.
recs=(x/sparkbench-share/records/*/*.json)
host_a=$(sed -nE 's/^ "host": "([^"]*)",?$/\1/p' "${recs[0]}")
host_b=$(sed -nE 's/^ "host": "([^"]*)",?$/\1/p' "${recs[1]}")
[ -n "$host_a" ] && [ "$host_a" = "$host_b" ] || fail "the two records' hosts became '$host_a' and '$host_b'"
tail_line="value 1.5 served by user-[0-9]+ on $host_a at ip-[0-9]+ \[ip6-[0-9]+\] mac mac-[0-9]+"
for rec in "${recs[@]}"; do
  grep -Eq "$tail_line" "$rec" || { grep last_output_tail "$rec"; fail "$rec: the output tail is not anonymized consistently"; }
done
user=$(grep -ohE "served by user-[0-9]+" "${recs[0]}" | head -n 1 | cut -d' ' -f3)
grep -q "/home/$user/bench" "${recs[0]}" || fail "the config's directory does not show the same user ($user)"
grep -q "$host_a" x/sparkbench-share/report/report.md || fail "the comparison report does not name host $host_a"
for md in x/sparkbench-share/records/*/*.md; do grep -q "$host_a" "$md" || fail "$md does not name host $host_a"; done
# The inputs are unchanged.
grep -q "$SECRET" "$rec_b" && grep -q "\"host\": \"$HOST\"" "$rec_b" || fail "share changed its input"

# One run without sides: the records and their own reports, no comparison.
"$SB" share results/a -o one.tgz >one.out 2>one.err || { cat one.err; fail "share of one directory failed"; }
grep -q "no comparison" one.err || { cat one.err; fail "share of one label says nothing about the comparison"; }
tar -tzf one.tgz >one.list
grep -q "sparkbench-share/records/a/" one.list || fail "the one-label archive lacks its records"

# Bad input: exit 2 with a fix, and no archive.
expect_error 2 "does not name a .tar.gz archive" -- "$SB" share results/a -o shared.zip
expect_error 2 "no record of label 'c'" -- "$SB" share results/a results/b --baseline a --candidate c -o bad.tar.gz
expect_error 2 "go together" -- "$SB" share results/a --baseline a -o bad.tar.gz
[ ! -e shared.zip ] && [ ! -e bad.tar.gz ] || fail "a refused share wrote an archive"
echo "ok"
