// Shared helper for block tags: parses tokens up to `{% end<name> %}` and fails clearly when the
// closing tag is missing.
import type { TagToken, TopLevelToken, Template } from "liquidjs";
import { TypeGuards } from "liquidjs";

export function readBlockBody(
  tagToken: TagToken,
  remainTokens: TopLevelToken[],
  parser: { parseToken(token: TopLevelToken, remain: TopLevelToken[]): Template },
): Template[] {
  const endName = `end${tagToken.name}`;
  const templates: Template[] = [];
  while (remainTokens.length > 0) {
    const token = remainTokens.shift() as TopLevelToken;
    if (TypeGuards.isTagToken(token) && token.name === endName) return templates;
    templates.push(parser.parseToken(token, remainTokens));
  }
  throw new Error(`tag {% ${tagToken.name} %} is not closed: add {% ${endName} %}`);
}
