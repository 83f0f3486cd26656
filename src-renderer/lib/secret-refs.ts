// Which job files use which secret: `secrets.get("NAME")`, `getRequired("NAME")`,
// `getUser("NAME")` and `getSystem("NAME")` with a literal name. A best-effort scan of the
// text (a name built at run time is not found).

export interface FileText {
  path: string;
  content: string;
}

const CALL = /\b(?:get|getRequired|getUser|getSystem)\s*\(\s*(["'`])([A-Za-z0-9_.:-]+)\1\s*\)/g;

/** Secret names referenced in one source text, in order of first use. */
export function secretNamesIn(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(CALL)) {
    const before = source.slice(Math.max(0, (match.index ?? 0) - 40), match.index ?? 0);
    // Only calls on a secrets object: `secrets.get(`, `secrets?.get(`, or a bare getRequired/… helper.
    if (
      /secrets\s*\??\.\s*$/.test(before) ||
      (!before.trimEnd().endsWith(".") && match[0].startsWith("getRequired"))
    ) {
      names.add(match[2]!);
    }
  }
  return [...names];
}

/** Secret name → the files that reference it (sorted). */
export function secretReferences(files: FileText[]): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const file of files) {
    for (const name of secretNamesIn(file.content)) {
      const list = refs.get(name) ?? [];
      list.push(file.path);
      refs.set(name, list);
    }
  }
  for (const list of refs.values()) list.sort();
  return refs;
}
