/**
 * Reads the shapes that schema.json must agree with straight from the TypeScript sources (not from the
 * compiled output, which drops JSDoc and types), with the TypeScript compiler API:
 * - the SDK args interfaces (inputs) and the `declare`d `pulumi.Output` fields of the resource classes;
 * - the plain output shapes in provider/types.ts.
 * Types are reduced to a small descriptor language shared with the schema side (see `schemaTypeOf`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { REPO_ROOT, refToken, type PackageSchema, type PropertySpec } from "./schemaShape";

/** A property as TypeScript declares it. */
export interface TsProperty {
  name: string;
  /** `?:` or a type that admits `undefined`. */
  optional: boolean;
  /** Normalized type, such as `string`, `array<string>`, `map<string>`, `ref:Timeouts`. */
  type: string;
  /** The JSDoc text, whitespace collapsed; "" when there is none. */
  doc: string;
}

export interface TsResourceClass {
  className: string;
  file: string;
  doc: string;
  /** Name of the args interface, from the constructor's second parameter. */
  argsInterface: string;
  /** The `module` and `type` arguments passed to pulumi.dynamic.Resource's constructor, resolved to strings. */
  moduleArg: string;
  typeArg: string;
  outputs: Map<string, TsProperty>;
  /** Keys of the `props` object literal handed to super(), and whether it spreads `args` into it. */
  propsKeys: Set<string>;
  spreadsArgs: boolean;
}

/** Names the SDK and provider give the object types, mapped to the schema's type names. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  TimeoutsArgs: "Timeouts",
  Timeouts: "Timeouts",
  ProductCode: "ProductCode",
  SnapshotSetMember: "SnapshotSetMember",
  SnapshotState: "SnapshotState",
};

export function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const sourceCache = new Map<string, ts.SourceFile>();

/** Parses a repository file (path relative to the repository root). */
export function parseSource(relative: string): ts.SourceFile {
  let source = sourceCache.get(relative);
  if (source === undefined) {
    const file = path.join(REPO_ROOT, relative);
    source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    sourceCache.set(relative, source);
  }
  return source;
}

export function jsDocText(node: ts.Node): string {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  return collapse(docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "").join(" "));
}

function nameOf(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) {
    return name.text;
  }
  throw new Error(`unsupported property name ${name.getText()}`);
}

/** `pulumi.Input<T>` / `pulumi.Output<T>` → T; anything else unchanged. */
function unwrapWrapper(node: ts.TypeNode, wrapper: "Input" | "Output"): ts.TypeNode {
  if (ts.isTypeReferenceNode(node) && node.typeArguments?.length === 1) {
    const name = node.typeName.getText();
    if (name === `pulumi.${wrapper}` || name === wrapper) {
      return node.typeArguments[0];
    }
  }
  return node;
}

/** Reduces a TypeScript type to the descriptor language; `undefined` members make it optional. */
export function describeTsType(node: ts.TypeNode): { type: string; optional: boolean } {
  let inner = unwrapWrapper(unwrapWrapper(node, "Output"), "Input");
  let optional = false;
  if (ts.isUnionTypeNode(inner)) {
    const members = inner.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
    optional = members.length !== inner.types.length;
    if (members.length !== 1) {
      throw new Error(`unsupported union type ${inner.getText()}`);
    }
    inner = members[0];
  }
  return { type: describeInner(inner), optional };
}

function describeInner(node: ts.TypeNode): string {
  const unwrapped = unwrapWrapper(node, "Input");
  if (unwrapped !== node) {
    return describeInner(unwrapped);
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return "string";
    case ts.SyntaxKind.BooleanKeyword:
      return "boolean";
    case ts.SyntaxKind.NumberKeyword:
      return "number";
  }
  if (ts.isArrayTypeNode(node)) {
    return `array<${describeInner(node.elementType)}>`;
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    const args = node.typeArguments ?? [];
    if (name === "Array" && args.length === 1) {
      return `array<${describeInner(args[0])}>`;
    }
    if (name === "Record" && args.length === 2 && args[0].kind === ts.SyntaxKind.StringKeyword) {
      return `map<${describeInner(args[1])}>`;
    }
    const mapped = TYPE_NAMES[name];
    if (mapped !== undefined && args.length === 0) {
      return `ref:${mapped}`;
    }
  }
  throw new Error(`no schema equivalent known for the TypeScript type ${node.getText()}`);
}

/** Reduces a schema property spec to the same descriptor language (integer and number are both `number`). */
export function schemaTypeOf(spec: PropertySpec, typePrefix: string): string {
  if (spec.$ref !== undefined) {
    const token = refToken(spec.$ref);
    if (token === undefined || !token.startsWith(typePrefix)) {
      return `unresolved:${spec.$ref}`;
    }
    return `ref:${token.slice(typePrefix.length)}`;
  }
  switch (spec.type) {
    case "integer":
    case "number":
      return "number";
    case "array":
      return `array<${spec.items === undefined ? "?" : schemaTypeOf(spec.items, typePrefix)}>`;
    case "object":
      return `map<${spec.additionalProperties === undefined ? "string" : schemaTypeOf(spec.additionalProperties, typePrefix)}>`;
    default:
      return spec.type ?? "?";
  }
}

function findInterface(source: ts.SourceFile, name: string): ts.InterfaceDeclaration {
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (found === undefined) {
    throw new Error(`${path.relative(REPO_ROOT, source.fileName)} declares no interface ${name}`);
  }
  return found;
}

/** The properties of an interface, including those it inherits from interfaces of the same file. */
export function readInterface(relative: string, name: string): Map<string, TsProperty> {
  const source = parseSource(relative);
  const declaration = findInterface(source, name);
  const result = new Map<string, TsProperty>();
  for (const clause of declaration.heritageClauses ?? []) {
    for (const base of clause.types) {
      for (const [key, value] of readInterface(relative, base.expression.getText())) {
        result.set(key, value);
      }
    }
  }
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member) || member.type === undefined) {
      continue;
    }
    const described = describeTsType(member.type);
    const name = nameOf(member.name);
    result.set(name, { name, optional: member.questionToken !== undefined || described.optional, type: described.type, doc: jsDocText(member) });
  }
  return result;
}

/** The string literal members of a union type alias, such as `SnapshotState`. */
export function readStringUnion(relative: string, name: string): string[] {
  const source = parseSource(relative);
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name);
  if (alias === undefined || !ts.isUnionTypeNode(alias.type)) {
    throw new Error(`${relative} declares no union type ${name}`);
  }
  return alias.type.types.map((t) => {
    if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) {
      return t.literal.text;
    }
    throw new Error(`${name} has a member that is not a string literal: ${t.getText()}`);
  });
}

/** The value classes (not `type` exports) that a module re-exports, with the file each comes from. */
export function readExportedClasses(relative: string): { name: string; file: string }[] {
  const source = parseSource(relative);
  const result: { name: string; file: string }[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || statement.moduleSpecifier === undefined) {
      continue;
    }
    if (statement.exportClause === undefined || !ts.isNamedExports(statement.exportClause)) {
      continue;
    }
    const target = path.join(path.dirname(relative), `${(statement.moduleSpecifier as ts.StringLiteral).text}.ts`);
    const targetSource = parseSource(target);
    for (const element of statement.exportClause.elements) {
      if (element.isTypeOnly) {
        continue;
      }
      const name = (element.propertyName ?? element.name).text;
      if (targetSource.statements.some((s) => ts.isClassDeclaration(s) && s.name?.text === name)) {
        result.push({ name, file: target });
      }
    }
  }
  return result;
}

function isDynamicResourceClass(declaration: ts.ClassDeclaration): boolean {
  return (declaration.heritageClauses ?? []).some(
    (clause) => clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types.some((t) => t.expression.getText() === "pulumi.dynamic.Resource"),
  );
}

/** A `pulumi.dynamic.Resource` subclass: its outputs, its args interface and what it passes to super(). */
export function readResourceClass(relative: string, className: string): TsResourceClass {
  const source = parseSource(relative);
  const declaration = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (declaration === undefined || !isDynamicResourceClass(declaration)) {
    throw new Error(`${relative} declares no class ${className} extending pulumi.dynamic.Resource`);
  }
  const outputs = new Map<string, TsProperty>();
  let constructorNode: ts.ConstructorDeclaration | undefined;
  for (const member of declaration.members) {
    if (ts.isConstructorDeclaration(member)) {
      constructorNode = member;
    }
    if (!ts.isPropertyDeclaration(member) || member.type === undefined) {
      continue;
    }
    const typeNode = member.type;
    if (!ts.isTypeReferenceNode(typeNode) || typeNode.typeName.getText() !== "pulumi.Output") {
      continue;
    }
    const described = describeTsType(typeNode);
    const name = nameOf(member.name);
    outputs.set(name, { name, optional: described.optional, type: described.type, doc: jsDocText(member) });
  }
  if (constructorNode?.body === undefined) {
    throw new Error(`${className} has no constructor`);
  }
  const argsType = constructorNode.parameters[1]?.type;
  if (argsType === undefined || !ts.isTypeReferenceNode(argsType)) {
    throw new Error(`${className}'s constructor takes no typed args parameter`);
  }
  let superCall: ts.CallExpression | undefined;
  let propsLiteral: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
      superCall = node;
    }
    if (ts.isVariableDeclaration(node) && node.name.getText() === "props" && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
      propsLiteral = node.initializer;
    }
    ts.forEachChild(node, visit);
  };
  visit(constructorNode.body);
  if (superCall === undefined || superCall.arguments.length < 6) {
    throw new Error(`${className} does not call super(provider, name, props, opts, module, type)`);
  }
  const typeArg = superCall.arguments[5];
  if (!ts.isStringLiteral(typeArg)) {
    throw new Error(`${className} passes a non-literal type to pulumi.dynamic.Resource`);
  }
  if (propsLiteral === undefined) {
    throw new Error(`${className}'s constructor builds no \`props\` object literal`);
  }
  const propsKeys = new Set<string>();
  let spreadsArgs = false;
  for (const property of propsLiteral.properties) {
    if (ts.isSpreadAssignment(property)) {
      spreadsArgs ||= property.expression.getText() === constructorNode.parameters[1].name.getText();
    } else if (property.name !== undefined) {
      propsKeys.add(nameOf(property.name));
    }
  }
  return {
    className,
    file: relative,
    doc: jsDocText(declaration),
    argsInterface: argsType.typeName.getText(),
    moduleArg: resolveStringConstant(relative, superCall.arguments[4]),
    typeArg: typeArg.text,
    outputs,
    propsKeys,
    spreadsArgs,
  };
}

/**
 * The value of a string literal, or of a `const` initialised with one, declared in the same file or
 * imported (by relative path) from another.
 */
export function resolveStringConstant(relative: string, expression: ts.Expression): string {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
    return expression.text;
  }
  if (!ts.isIdentifier(expression)) {
    throw new Error(`cannot resolve ${expression.getText()} in ${relative} to a string`);
  }
  const name = expression.text;
  const source = parseSource(relative);
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.name.getText() === name && declaration.initializer !== undefined) {
          return resolveStringConstant(relative, declaration.initializer);
        }
      }
    }
    if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings && ts.isNamedImports(statement.importClause.namedBindings)) {
      const element = statement.importClause.namedBindings.elements.find((e) => e.name.text === name);
      const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
      if (element !== undefined && specifier.startsWith(".")) {
        const target = path.join(path.dirname(relative), `${specifier}.ts`);
        const exported = (element.propertyName ?? element.name).text;
        return resolveStringConstant(target, ts.factory.createIdentifier(exported));
      }
    }
  }
  throw new Error(`${relative} declares no string constant ${name}`);
}

/** Every `$ref` anywhere in the schema, with where it appears. */
export function collectRefs(schema: PackageSchema): { at: string; ref: string }[] {
  const refs: { at: string; ref: string }[] = [];
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${at}[${index}]`));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (key === "$ref" && typeof item === "string") {
          refs.push({ at, ref: item });
        } else {
          walk(item, `${at}.${key}`);
        }
      }
    }
  };
  walk(schema, "$");
  return refs;
}
