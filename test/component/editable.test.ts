// Single-key shortcuts stay out of anything the person types in.
import { describe, expect, it } from "vitest";
import { isEditableTarget } from "../../src-renderer/lib/editable.ts";

function html(markup: string): HTMLElement {
  const host = document.createElement("div");
  host.innerHTML = markup;
  document.body.append(host);
  return host;
}

describe("isEditableTarget", () => {
  it("knows Monaco's EditContext div and its textarea", () => {
    const host = html(
      '<div class="monaco-editor"><div class="overflow-guard"><div class="native-edit-context" tabindex="0"></div><textarea class="inputarea"></textarea></div></div>',
    );
    expect(isEditableTarget(host.querySelector(".native-edit-context"))).toBe(true);
    expect(isEditableTarget(host.querySelector("textarea"))).toBe(true);
  });

  it("knows inputs, selects, contenteditable and their children", () => {
    const host = html(
      '<input id="i"><select id="s"></select><div contenteditable="true"><b id="b">x</b></div><div role="textbox" id="r"></div>',
    );
    for (const id of ["i", "s", "b", "r"])
      expect(isEditableTarget(host.querySelector(`#${id}`))).toBe(true);
  });

  it("leaves buttons, the body and non-elements to the shortcuts", () => {
    const host = html(
      '<button id="x">Run</button><div contenteditable="false"><span id="y"></span></div>',
    );
    expect(isEditableTarget(host.querySelector("#x"))).toBe(false);
    expect(isEditableTarget(host.querySelector("#y"))).toBe(false);
    expect(isEditableTarget(document.body)).toBe(false);
    expect(isEditableTarget(window)).toBe(false);
    expect(isEditableTarget(null)).toBe(false);
  });
});
