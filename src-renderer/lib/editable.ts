// "Is the person typing?" for single-key app shortcuts: any input, textarea, select,
// contenteditable, or anything inside a code editor (Monaco's focused element is a plain
// `div.native-edit-context` on the EditContext API, or a hidden textarea on older engines).

const EDITABLE =
  'input, textarea, select, [contenteditable=""], [contenteditable="true"], [contenteditable="plaintext-only"], .monaco-editor, [role="textbox"]';

export function isEditableTarget(target: EventTarget | null): boolean {
  const el = target as (Element & { isContentEditable?: boolean }) | null;
  if (!el || typeof el.closest !== "function") return false;
  return !!el.isContentEditable || el.closest(EDITABLE) !== null;
}
