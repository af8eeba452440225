# bash completion for encrypt, decrypt and envelope (doc/completion.bash,
# installed as share/bash-completion/completions/{encrypt,decrypt,envelope}).
#
# The options and subcommands come from the tool's own --help at the moment
# of completion (`envelope keys --help`, ...), so they are always those of
# the installed version; paths complete as files.

# _envelope_tool_help prints the words a help text offers: with "options",
# its -x/--long options; with "subcommands", the names under SUBCOMMANDS.
_envelope_tool_help() {
  local what=$1
  shift
  "$@" --help 2>/dev/null | awk -v what="$what" '
    /^[A-Za-z ]+:[[:space:]]*$/ { section = tolower($0); next }
    what == "subcommands" && section ~ /^subcommand/ && $1 ~ /^[a-z][a-z0-9-]*$/ { print $1; next }
    what == "options" && $1 ~ /^-/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) if (names[i] ~ /^-/) print names[i]
    }'
}

_envelope_tools() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi

  # The command so far: the tool and the subcommands typed before the cursor.
  local -a command=("${words[0]}")
  local i subs
  for ((i = 1; i < cword; i++)); do
    [[ ${words[i]} == -* ]] && continue
    subs=$(_envelope_tool_help subcommands "${command[@]}")
    if grep -qx -- "${words[i]}" <<<"$subs"; then
      command+=("${words[i]}")
    fi
  done

  case $prev in
    -o | --output | --secret-file | --plaintext-file | --wrapping-key | --keystore | \
      --tls-cert | --tls-key | --pkcs11-module)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_envelope_tool_help options "${command[@]}")" -- "$cur"))
    return
  fi
  subs=$(_envelope_tool_help subcommands "${command[@]}")
  COMPREPLY=($(compgen -W "$subs" -- "$cur") $(compgen -f -- "$cur"))
}

complete -F _envelope_tools -o filenames encrypt decrypt envelope
