# Sourced by ./tapguard and ./test.sh: finds a JDK >= 21 and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is >= 21, then the newest JDK under /usr/lib/jvm, then javac on PATH.
_tg_java_major() { # prints the major version of the JDK at $1
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
  echo "${v%%.*}"
}
_tg_pick_jdk() {
  local cand best="" bestv=0 v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(_tg_java_major "$JAVA_HOME"); [ "${v:-0}" -ge 21 ] && { echo "$JAVA_HOME"; return; }
  fi
  for cand in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$cand/bin/javac" ] || continue
    v=$(_tg_java_major "$cand")
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best="$cand"; bestv="$v"; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(_tg_java_major "$cand"); [ "${v:-0}" -ge 21 ] && best="$cand"
  fi
  echo "$best"
}
_tg_jdk=$(_tg_pick_jdk)
if [ -z "$_tg_jdk" ]; then
  echo "tapguard: no JDK >= 21 found (looked at \$JAVA_HOME, /usr/lib/jvm/*, javac on PATH)." >&2
  echo "tapguard: install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+, or set JAVA_HOME." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$_tg_jdk"
export PATH="$JAVA_HOME/bin:$PATH"
unset _tg_jdk
