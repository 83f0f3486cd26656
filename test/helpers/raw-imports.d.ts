// Vite's `?raw` imports (a file's text), for tests that import renderer modules using them.
declare module "*?raw" {
  const text: string;
  export default text;
}
