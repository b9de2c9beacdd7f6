#!/usr/bin/env bash
# Regenerates test/captures/files: small captures written by real tools (text2pcap, editcap, mergecap,
# tcpdump on the loopback interface) plus the pcapng features no tool writes (craft-pcapng.ts) and
# big-endian copies (swap-byte-order.ts), and next to each capture tshark's view of it
# (<capture>.tshark.jsonl, or <capture>.tshark-error.txt when tshark stops on it), which
# test/readers/captures.test.ts compares the readers against. CI only reads the committed files.
#
#   apt-get install -y tshark tcpdump   # Debian; text2pcap, editcap, mergecap come with tshark
#   bash test/captures/make-captures.sh # as root (tcpdump captures on lo)
set -euo pipefail
export TZ=UTC LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/files
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run_ts() { (cd "$root" && node --import tsx "$@"); }
TIME='%Y-%m-%d %H:%M:%S.%f'

rm -rf "$out"
mkdir -p "$out"

# Hand-built frames (see frame-builders.ts) written by text2pcap in each format and link type.
for set in ethernet ipv4 raw sll sll2; do run_ts test/captures/frames.ts "$set" >"$tmp/$set.txt"; done
text2pcap -q -F pcap -t "$TIME" "$tmp/ethernet.txt" "$out/ethernet-usec.pcap"
text2pcap -q -F nsecpcap -t "$TIME" "$tmp/ethernet.txt" "$out/ethernet-nsec.pcap"
text2pcap -q -F pcapng -t "$TIME" "$tmp/ethernet.txt" "$out/ethernet.pcapng"
text2pcap -q -F nsecpcap -l 228 -t "$TIME" "$tmp/ipv4.txt" "$out/raw-ipv4-228.pcap"
text2pcap -q -F pcap -l 101 -t "$TIME" "$tmp/raw.txt" "$out/raw-101.pcap"
text2pcap -q -F pcapng -l 101 -t "$TIME" "$tmp/raw.txt" "$tmp/raw-101.pcapng"
text2pcap -q -F pcap -l 113 -t "$TIME" "$tmp/sll.txt" "$out/sll.pcap"
text2pcap -q -F nsecpcap -l 276 -t "$TIME" "$tmp/sll2.txt" "$out/sll2.pcap"
# Kuznetsov's modified pcap (24-byte record headers).
editcap -F modpcap "$out/ethernet-usec.pcap" "$out/ethernet-modified.pcap"

# Big-endian files, as written on a big-endian host.
run_ts test/captures/swap-byte-order.ts "$out/ethernet-usec.pcap" "$out/ethernet-usec-be.pcap"
run_ts test/captures/swap-byte-order.ts "$out/ethernet-nsec.pcap" "$out/ethernet-nsec-be.pcap"
run_ts test/captures/swap-byte-order.ts "$out/ethernet.pcapng" "$out/ethernet-be.pcapng"

# Snap-length truncation: 30 bytes cuts IP headers, 46 cuts TCP/SCTP headers but not UDP/ICMP ones.
editcap -F nsecpcap -s 30 "$out/ethernet-nsec.pcap" "$out/ethernet-snap30.pcap"
editcap -F nsecpcap -s 46 "$out/ethernet-nsec.pcap" "$out/ethernet-snap46.pcap"
editcap -F pcapng -s 50 "$out/ethernet.pcapng" "$out/ethernet-snap50.pcapng"
editcap -F nsecpcap -s 36 "$out/sll2.pcap" "$out/sll2-snap36.pcap"

# Several interfaces with different link types and resolutions in one section (mergecap), and
# several sections in both byte orders (pcapng files concatenate into a multi-section file).
mergecap -w "$out/multi-interface.pcapng" "$out/ethernet-usec.pcap" "$out/sll2.pcap" "$out/raw-ipv4-228.pcap"
cat "$out/ethernet.pcapng" "$out/ethernet-be.pcapng" "$tmp/raw-101.pcapng" >"$out/multi-section.pcapng"
run_ts test/captures/craft-pcapng.ts "$out/crafted-blocks.pcapng"

# Real traffic on the loopback interface, captured by tcpdump as Ethernet (lo), SLL and SLL2 (any).
filter='host 127.0.0.1 or host ::1'
filter="($filter) and (port 47001 or port 47002 or port 47003 or port 47004 or icmp)"
pids=()
tcpdump -U -q -i lo -w "$out/lo-ethernet-usec.pcap" "$filter" 2>"$tmp/td1" & pids+=($!)
tcpdump -U -q -i lo --time-stamp-precision=nano -w "$out/lo-ethernet-nsec.pcap" "$filter" 2>"$tmp/td2" & pids+=($!)
tcpdump -U -q -i any -y LINUX_SLL -w "$out/lo-sll.pcap" "$filter" 2>"$tmp/td3" & pids+=($!)
tcpdump -U -q -i any -y LINUX_SLL2 -w "$out/lo-sll2.pcap" "$filter" 2>"$tmp/td4" & pids+=($!)
sleep 2
run_ts test/captures/loopback-traffic.ts
sleep 1
kill -INT "${pids[@]}"
wait "${pids[@]}" || true

# Cut files: tshark must stop on them where the readers stop.
size=$(stat -c %s "$out/ethernet-nsec.pcap")
head -c $((size - 7)) "$out/ethernet-nsec.pcap" >"$out/cut-in-packet.pcap"
head -c 600 "$out/ethernet.pcapng" >"$out/cut-in-block.pcapng"
head -c 20 "$out/ethernet-usec.pcap" >"$out/cut-in-header.pcap"

# tshark's view of every capture (IP reassembly off: the readers see each fragment on its own).
for file in "$out"/*.pcap "$out"/*.pcapng; do
  if tshark -o ip.defragment:FALSE -r "$file" -T json -x --no-duplicate-keys >"$tmp/view.json" 2>"$tmp/err"; then
    run_ts test/captures/tshark-view.ts <"$tmp/view.json" >"$file.tshark.jsonl"
  else
    grep -v "Running as user" "$tmp/err" | sed "s|$out/||" >"$file.tshark-error.txt"
    # What tshark decoded before it stopped.
    run_ts test/captures/tshark-view.ts <"$tmp/view.json" >"$file.tshark.jsonl"
  fi
done
tshark --version | head -1 >"$out/TSHARK_VERSION"
ls -l "$out"
