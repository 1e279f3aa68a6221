#!/usr/bin/env bash
# Emacs with eglot, then with lsp-mode, each configured by the blocks of
# docs/editors.md as printed there and driven in batch mode: the server
# starts for an article, and the outline, diagnostics, a dateline.snapshot
# command and record-on-save work through the client (with eglot also
# hover and a quick fix).
set -u
. "${DATELINE_ROOT:?}/tests/sh/tap.sh"
scratch_git_world
EDITOR_TIMEOUT=${DATELINE_EDITOR_TIMEOUT:-60}

if ! command -v emacs >/dev/null 2>&1 ||
    ! emacs --batch --eval '(progn (package-activate-all) (require (quote eglot)))' >/dev/null 2>&1; then
    tap_skip "Emacs with eglot" "emacs or eglot is not installed (./build.sh deps installs emacs-nox and elpa-eglot)"
    done_testing
    exit 0
fi

# elisp_block HEADING: the first elisp block after the heading line HEADING.
elisp_block() {
    awk -v heading="$1" '$0 == heading {n=1} n && /^```elisp/ {code=1; next} code && /^```/ {exit} code' \
        "$ROOT/docs/editors.md"
}
{ elisp_block '## Emacs'; elisp_block '### eglot'; } >"$scratch/init.el"
mkdir -p "$scratch/news"
git -C "$scratch/news" init -q
# write_story FILE: an article of ours with an unclosed quotation on line 5.
write_story() {
    printf '%s\n' 'Council delays vote on library budget' '' \
        'SPRINGFIELD — The council delayed its vote on the library budget on Tuesday.' '' \
        '“We need more time to read the numbers, the mayor said.' >"$1"
}
write_story "$scratch/news/000_0123456789abcdef.txt"
printf 'call the printer about friday\n' >"$scratch/news/notes.txt"
story=$scratch/news/000_0123456789abcdef.txt

cat >"$scratch/common.el" <<'ELISP'
;; Each finding is one line on stdout; the shell compares them.
(defun probe-report (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))
(defun probe-wait (predicate)
  "Let processes run until PREDICATE holds or 20 seconds pass."
  (let ((deadline (+ (float-time) 20)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))
ELISP
cat >"$scratch/probe.el" <<'ELISP'
(defvar probe-recorded nil "The params of the last dateline/recorded.")
(cl-defmethod eglot-handle-notification
  (_server (_method (eql dateline/recorded)) &rest params)
  (setq probe-recorded params))
(setq eglot-sync-connect t eglot-send-changes-idle-time 0 flymake-no-changes-timeout nil)
(find-file "notes.txt")
(probe-report "notes.txt %s" major-mode)
(find-file "000_0123456789abcdef.txt")
(probe-report "story %s" major-mode)
;; eglot-ensure connects after the command that opened the file.
(run-hooks 'post-command-hook)
(probe-wait (lambda () (eglot-current-server)))
(probe-report "connected %s" (if (eglot-current-server) "yes" "no"))
(when (eglot-current-server)
  (let ((server (eglot-current-server))
        (uri (eglot--path-to-uri buffer-file-name)))
    ;; eglot groups the symbols by kind: "Class" holds the headline.
    (let ((names nil))
      (cl-labels ((walk (entries)
                    (dolist (entry entries)
                      (when (consp entry)
                        (push (format "%s" (car entry)) names)
                        (when (imenu--subalist-p entry) (walk (cdr entry)))))))
        (walk (imenu--make-index-alist t)))
      (probe-report "imenu %s" (mapconcat #'identity (nreverse names) "|")))
    ;; Without a command loop flymake's timers never ask eglot for what the
    ;; server published: ask on every turn.
    (probe-wait (lambda () (flymake-start) (flymake-diagnostics)))
    (dolist (diagnostic (flymake-diagnostics))
      (probe-report "diagnostic %d %s" (line-number-at-pos (flymake-diagnostic-beg diagnostic))
                    (flymake-diagnostic-text diagnostic)))
    ;; The quick fix on the diagnostic's line, applied as eglot applies it.
    (goto-char (point-min))
    (forward-line 4)
    (let* ((actions (eglot-code-actions (line-beginning-position) (line-end-position)))
           (fix (cl-find-if (lambda (a) (string-match-p "quot" (plist-get a :title))) actions)))
      (probe-report "code action %s" (if fix (plist-get fix :title) (format "%S" actions)))
      (when fix
        (eglot--apply-workspace-edit (plist-get fix :edit))
        (probe-report "line 5 now %s"
                      (buffer-substring-no-properties (line-beginning-position) (line-end-position)))))
    (let ((result (jsonrpc-request server :workspace/executeCommand
                                   (list :command "dateline.snapshot"
                                         :arguments (vector (list :uri uri :note "filed from emacs"))))))
      (probe-report "snapshot recorded %s" (if (eq (plist-get result :recorded) t) "yes" "no")))
    (goto-char (point-min))
    (forward-line 2)
    (let ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
      (probe-report "hover %s" (if (string-match-p "filed from emacs" (format "%S" hover)) "names the note" hover)))
    (goto-char (point-max))
    (insert "\nThe council meets again next week.\n")
    (setq probe-recorded nil)
    (save-buffer)
    ;; The server records on didSave, on its worker, and then says so; the
    ;; shell reads the log.
    (probe-wait (lambda () probe-recorded))
    (probe-report "save recorded %s" (if (eq (plist-get probe-recorded :recorded) t) "yes" "no"))))
ELISP
out=$(cd "$scratch/news" && PATH=$ROOT/plugin/bin:$PATH timeout "$EDITOR_TIMEOUT" \
    emacs --batch --eval '(package-activate-all)' -l "$scratch/common.el" -l "$scratch/init.el" -l "$scratch/probe.el" 2>"$scratch/emacs.log")
# expect NAME REGEX: a line of the probe's output matches.
expect() {
    if grep -q "$2" <<<"$out"; then tap_ok "$1"; else tap_not_ok "$1" "$out
$(cat "$scratch/emacs.log")"; fi
}
expect "the init block: a note stays text-mode" '^notes.txt text-mode$'
expect "the init block: a .txt dateline detects opens in article-mode" '^story article-mode$'
expect "eglot-ensure starts dateline lsp" '^connected yes$'
expect "imenu lists the headline (documentSymbol)" '^imenu .*|Council delays vote on library budget|'
expect "flymake shows the unclosed quotation on its line" '^diagnostic 5 .*unclosed-quotation'
expect "a code action closes the quotation" '^line 5 now “We need more time to read the numbers, the mayor said\.”$'
expect "executeCommand dateline.snapshot records a version" '^snapshot recorded yes$'
expect "hover on the paragraph names the version's note" '^hover names the note$'
expect "saving in Emacs records a version (dateline/recorded)" '^save recorded yes$'
log=$(cd "$scratch/news" && "$DATELINE" log --json "$story" 2>&1)
versions=$(jq '.versions | length' <<<"$log" 2>/dev/null || echo 0)
if [ "$versions" -ge 2 ]; then
    tap_ok "dateline log lists the snapshot and the save"
else
    tap_not_ok "dateline log lists the snapshot and the save" "$log
$(cat "$scratch/emacs.log")"
fi


# lsp-mode, on an article of its own in a repository of its own.
if ! emacs --batch --eval '(progn (package-activate-all) (require (quote lsp-mode)))' >/dev/null 2>&1; then
    tap_skip "Emacs with lsp-mode" "lsp-mode is not installed (./build.sh deps installs elpa-lsp-mode)"
    done_testing
    exit 0
fi
{ elisp_block '## Emacs'; elisp_block '### lsp-mode'; } >"$scratch/init-lsp-mode.el"
mkdir -p "$scratch/desk"
git -C "$scratch/desk" init -q
write_story "$scratch/desk/budget.article"
cat >"$scratch/probe-lsp-mode.el" <<'ELISP'
;; No questions in batch mode: the project is the repository, no watchers.
(setq lsp-auto-guess-root t lsp-enable-file-watchers nil lsp-restart 'ignore lsp-enable-snippet nil
      lsp-session-file (expand-file-name "lsp-session" (getenv "HOME")))
(find-file "budget.article")
(probe-report "story %s" major-mode)
;; lsp-deferred connects once Emacs is idle, which batch mode never is.
(lsp)
(probe-wait (lambda () (and (lsp-workspaces)
                            (eq (lsp--workspace-status (car (lsp-workspaces))) 'initialized))))
(probe-report "connected %s" (if (lsp-workspaces) "yes" "no"))
(when (lsp-workspaces)
  (let ((symbols (lsp-request "textDocument/documentSymbol"
                              (list :textDocument (lsp--text-document-identifier)))))
    (probe-report "symbols %s" (mapconcat (lambda (s) (lsp-get s :name)) symbols "|")))
  (let ((file (lsp--fix-path-casing buffer-file-name)))
    (probe-wait (lambda () (gethash file (lsp-diagnostics t))))
    (dolist (diagnostic (gethash file (lsp-diagnostics t)))
      (probe-report "diagnostic %s %s" (1+ (lsp-get (lsp-get (lsp-get diagnostic :range) :start) :line))
                    (lsp-get diagnostic :code))))
  (let ((result (lsp-request "workspace/executeCommand"
                             (list :command "dateline.snapshot"
                                   :arguments (vector (list :uri (lsp--buffer-uri)))))))
    (probe-report "snapshot recorded %s" (if (eq (lsp-get result :recorded) t) "yes" "no")))
  (goto-char (point-max))
  (insert "\nThe council meets again next week.\n")
  (save-buffer)
  ;; The server records the save on its worker: wait until the log has it.
  (probe-wait (lambda ()
                (string-match-p "\"short\".*\n\\(.*\n\\)*.*\"short\""
                                (with-output-to-string
                                  (call-process "dateline" nil standard-output nil
                                                "log" "--json" buffer-file-name))))))
ELISP
out=$(cd "$scratch/desk" && PATH=$ROOT/plugin/bin:$PATH timeout "$EDITOR_TIMEOUT" \
    emacs --batch --eval '(package-activate-all)' -l "$scratch/common.el" \
    -l "$scratch/init-lsp-mode.el" -l "$scratch/probe-lsp-mode.el" 2>"$scratch/emacs.log")
expect "lsp-mode: the init blocks open an article in article-mode" '^story article-mode$'
expect "lsp-mode starts dateline lsp" '^connected yes$'
expect "lsp-mode: documentSymbol gives the headline" '^symbols Council delays vote on library budget|'
expect "lsp-mode: the unclosed quotation is diagnosed on its line" '^diagnostic 5 unclosed-quotation$'
expect "lsp-mode: executeCommand dateline.snapshot records a version" '^snapshot recorded yes$'
log=$(cd "$scratch/desk" && "$DATELINE" log --json "$scratch/desk/budget.article" 2>&1)
versions=$(jq '.versions | length' <<<"$log" 2>/dev/null || echo 0)
if [ "$versions" -ge 2 ]; then
    tap_ok "lsp-mode: saving records a version (dateline log lists the snapshot and the save)"
else
    tap_not_ok "lsp-mode: saving records a version (dateline log lists the snapshot and the save)" "$log
$(cat "$scratch/emacs.log")"
fi

done_testing
