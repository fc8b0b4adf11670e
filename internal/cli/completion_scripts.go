package cli

// The completion scripts ask the binary for candidates (PROG __complete
// SHELL -- LINE) with the command line up to the cursor; the last line of
// the answer says whether to complete paths too. PROG is replaced by the
// program's name.

const bashScript = `# bash completion for PROG (bash 4.1 or later)        -*- shell-script -*-
# Install: source <(PROG completion bash), or save it as
# ~/.local/share/bash-completion/completions/PROG

_PROG_complete() {
    local -a out
    local n directive
    mapfile -t out < <(PUBSUBCTL_COMP_WORDBREAKS="$COMP_WORDBREAKS" PROG __complete bash -- "${COMP_LINE:0:COMP_POINT}" 2>/dev/null)
    n=${#out[@]}
    (( n > 0 )) || return 0
    directive=${out[n-1]}
    COMPREPLY=("${out[@]:0:n-1}")
    case $directive in
    :dirs) compopt -o dirnames 2>/dev/null ;;
    :files) compopt -o default 2>/dev/null ;;
    esac
    return 0
}
complete -F _PROG_complete PROG
`

const zshScript = `#compdef PROG
# zsh completion for PROG
# Install: source <(PROG completion zsh) after compinit, or save it as _PROG
# in a directory of $fpath before compinit runs.

_PROG() {
    local -a out cands
    local directive l ret=1
    out=("${(@f)$(PROG __complete zsh -- "${(j: :)words[1,CURRENT]}" 2>/dev/null)}")
    (( ${#out} )) || return 1
    directive=${out[-1]}
    for l in "${(@)out[1,-2]}"; do
        [[ -n $l ]] || continue
        if [[ $l == *$'\t'* ]]; then
            cands+=("${${l%%$'\t'*}//:/\\:}:${l#*$'\t'}")
        else
            cands+=("${l//:/\\:}")
        fi
    done
    if (( ${#cands} )); then
        _describe -t values 'PROG' cands && ret=0
    fi
    case $directive in
    :dirs)
        [[ $PREFIX == -*=* ]] && compset -P '*='
        _path_files -/ && ret=0 ;;
    :files)
        [[ $PREFIX == -*=* ]] && compset -P '*='
        _files && ret=0 ;;
    esac
    return ret
}

if [[ $funcstack[1] == _PROG ]]; then
    # Autoloaded from $fpath: complete now.
    _PROG "$@"
else
    compdef _PROG PROG
fi
`

const fishScript = `# fish completion for PROG
# Install: PROG completion fish | source, or save it as
# ~/.config/fish/completions/PROG.fish

function __PROG_complete
    set -l out (PROG __complete fish -- (commandline -cp) 2>/dev/null)
    or return
    set -q out[1]; or return
    set -l directive $out[-1]
    set -e out[-1]
    printf '%s\n' $out
    set -l token (commandline -ct)
    set -l prefix (string match -r -- '^-[^=]*=' $token)
    set -l path (string replace -r -- '^-[^=]*=' '' $token)
    switch $directive
        case :dirs
            __fish_complete_directories $path | string replace -r -- '^' "$prefix"
        case :files
            __fish_complete_path $path | string replace -r -- '^' "$prefix"
    end
end

complete -c PROG -f -a '(__PROG_complete)'
`
