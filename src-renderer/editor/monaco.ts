// Monaco, loaded on demand (only the IDE imports this module, through a dynamic import,
// so the other views stay light). Workers come from Vite's `?worker` imports; the job
// typings go in as an extra lib; `@fluxbase:` names complete inside comments.
import * as monaco from "monaco-editor";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import JsonWorker from "monaco-editor/language/json/json.worker?worker";
import TsWorker from "monaco-editor/language/typescript/ts.worker?worker";
import { ANNOTATIONS } from "../lib/annotations.ts";
import { JOB_TYPES, JOB_TYPES_PATH } from "./job-types.ts";

export type Monaco = typeof monaco;

let configured = false;

function annotationCompletions(
  model: monaco.editor.ITextModel,
  position: monaco.Position,
): monaco.languages.CompletionList {
  const before = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
  const match = /@fluxbase:([\w-]*)$/.exec(before);
  if (!match || !/^\s*(?:\/\/|\/?\*)/.test(before)) return { suggestions: [] };
  const range = new monaco.Range(
    position.lineNumber,
    position.column - match[1]!.length,
    position.lineNumber,
    position.column,
  );
  return {
    suggestions: Object.entries(ANNOTATIONS).map(([name, spec]) => ({
      label: name,
      kind: monaco.languages.CompletionItemKind.Property,
      detail: spec.help,
      documentation: `@fluxbase:${name} ${spec.example}`,
      insertText: spec.example ? `${name} ${spec.example}` : name,
      range,
    })),
  };
}

function configure(): void {
  if (configured) return;
  configured = true;
  self.MonacoEnvironment = {
    getWorker(_id: string, label: string) {
      if (label === "typescript" || label === "javascript") return new TsWorker();
      if (label === "json") return new JsonWorker();
      return new EditorWorker();
    },
  };
  const ts = monaco.typescript;
  for (const defaults of [ts.typescriptDefaults, ts.javascriptDefaults]) {
    defaults.setCompilerOptions({
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      allowJs: true,
      allowNonTsExtensions: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: false,
      lib: ["es2022", "dom"],
    });
    defaults.addExtraLib(JOB_TYPES, JOB_TYPES_PATH);
  }
  for (const language of ["typescript", "javascript"]) {
    monaco.languages.registerCompletionItemProvider(language, {
      triggerCharacters: [":"],
      provideCompletionItems: annotationCompletions,
    });
  }
}

export async function loadMonaco(): Promise<Monaco> {
  configure();
  return monaco;
}

export function languageFor(path: string): string {
  if (path.endsWith(".json")) return "json";
  if (/\.(?:js|mjs)$/.test(path)) return "javascript";
  return "typescript";
}
