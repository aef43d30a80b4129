// Lint rules that catch what the compiler does not: above all a promise nobody awaits, which in a
// provider hook means work that outlives its deadline or an error nobody sees.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".cache/", "**/node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // Hooks and fakes implement async interfaces whether or not they await.
      "@typescript-eslint/require-await": "off",
      // Rejections pass an AbortSignal's reason, which is always an Error this code made (Deadline).
      "@typescript-eslint/prefer-promise-reject-errors": "off",
      // A CommonJS package: the serialized shim require()s the provider by name, and tests load by path.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    files: ["tests/**/*.ts", "harness/**/*.ts", "bench/**/*.ts"],
    rules: {
      // sinon stubs and assertion helpers are passed as methods; tests throw non-errors on purpose.
      "@typescript-eslint/unbound-method": "off",
      "@typescript-eslint/only-throw-error": "off",
    },
  },
  { files: ["**/*.mjs", "**/*.js"], ...tseslint.configs.disableTypeChecked },
);
