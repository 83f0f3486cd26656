// The jobs folder's flat listing → a tree for the IDE's sidebar.

export interface FlatEntry {
  path: string;
  type: "file" | "dir";
}

export interface TreeNode {
  name: string;
  path: string;
  type: "file" | "dir";
  children: TreeNode[];
}

/** Folders first, then files, each by name. Missing parent folders are made up. */
export function buildFileTree(entries: FlatEntry[]): TreeNode[] {
  const root: TreeNode = { name: "", path: "", type: "dir", children: [] };
  const dirs = new Map<string, TreeNode>([["", root]]);
  const dirFor = (dirPath: string): TreeNode => {
    const known = dirs.get(dirPath);
    if (known) return known;
    const cut = dirPath.lastIndexOf("/");
    const parent = dirFor(cut < 0 ? "" : dirPath.slice(0, cut));
    const node: TreeNode = {
      name: dirPath.slice(cut + 1),
      path: dirPath,
      type: "dir",
      children: [],
    };
    parent.children.push(node);
    dirs.set(dirPath, node);
    return node;
  };
  for (const entry of entries) {
    if (entry.type === "dir") {
      dirFor(entry.path);
      continue;
    }
    const cut = entry.path.lastIndexOf("/");
    dirFor(cut < 0 ? "" : entry.path.slice(0, cut)).children.push({
      name: entry.path.slice(cut + 1),
      path: entry.path,
      type: "file",
      children: [],
    });
  }
  const sort = (node: TreeNode) => {
    node.children.sort((a, b) =>
      a.type === b.type ? a.name.localeCompare(b.name) : a.type === "dir" ? -1 : 1,
    );
    node.children.forEach(sort);
  };
  sort(root);
  return root.children;
}

/** The function a file belongs to: "report.ts" → "report", "export/index.ts" → "export". */
export function functionNameFor(path: string): string | null {
  const parts = path.split("/");
  const top = parts[0] ?? "";
  if (top.startsWith("_") || top.startsWith(".") || path.endsWith(".d.ts")) return null;
  if (parts.length === 1) return /\.(ts|js)$/.test(top) ? top.replace(/\.(ts|js)$/, "") : null;
  return top;
}
