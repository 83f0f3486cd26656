// ESLint flat config. The import boundaries of docs/architecture.md live here as data:
// each zone names a folder and the folders (or packages) it must never import.
import js from "@eslint/js";
import pluginVue from "eslint-plugin-vue";
import tseslint from "typescript-eslint";

const boundaries = [
  {
    folder: "src-sdk",
    forbidden: ["**/src-server/**", "**/src-runtime/**", "**/src-main/**", "**/src-renderer/**"],
    packages: ["node:*", "electron", "pg", "ws"],
    why: "src-sdk uses web-standard APIs only (browser, Node and Deno)",
  },
  {
    folder: "src-runtime",
    forbidden: ["**/src-server/**", "**/src-main/**", "**/src-renderer/**"],
    packages: ["node:*", "electron", "pg"],
    why: "src-runtime runs inside Deno: src-sdk and web APIs only",
  },
  {
    folder: "src-server",
    forbidden: ["**/src-main/**", "**/src-renderer/**", "**/src-runtime/**"],
    packages: ["electron"],
    why: "src-server is plain Node and never imports electron or UI code",
  },
  {
    folder: "src-main",
    forbidden: ["**/src-renderer/**", "**/src-runtime/**"],
    packages: [],
    why: "src-main imports only src-server's public entry",
  },
  {
    folder: "src-renderer",
    forbidden: ["**/src-server/**", "**/src-main/**", "**/src-runtime/**"],
    packages: ["node:*", "electron"],
    why: "src-renderer talks to the server only through src-sdk",
  },
];

const boundaryConfigs = boundaries.map((zone) => ({
  files: [`${zone.folder}/**/*.{ts,js,vue}`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          ...zone.forbidden.map((group) => ({ group: [group], message: zone.why })),
          ...zone.packages.map((name) => ({ group: [name], message: zone.why })),
        ],
      },
    ],
  },
}));

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
  ...boundaryConfigs,
);
