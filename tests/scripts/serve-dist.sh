# Sourced by smoke.sh and e2e.sh: serves the Trunk build in dist/ on 127.0.0.1:$1 for
# the rest of the calling script, and returns once it answers.
serve_dist() {
  python3 -m http.server "$1" --bind 127.0.0.1 -d dist >/dev/null 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done
  echo "could not serve dist/ on port $1" >&2
  return 1
}
