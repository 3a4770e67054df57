import { DomUtils, ElementType, parseDocument } from "htmlparser2";

/** The parsed documents the checks read: htmlparser2's tree, without a second parser. */
export type Document = ReturnType<typeof parseDocument>;
export type Element = Parameters<typeof DomUtils.getAttributeValue>[0];
export type Node = Document["children"][number];

export function parseHtml(html: string): Document {
  return parseDocument(html);
}

/** XML as written: names keep their case and entities are the XML ones. */
export function parseXml(xml: string): Document {
  return parseDocument(xml, { xmlMode: true });
}

/** Anything with children: a document or an element. */
export type Parent = { children: Node[] };

export function elements(root: Parent, name?: string): Element[] {
  return DomUtils.findAll((el) => name === undefined || el.name === name, root.children);
}

export function attr(el: Element, name: string): string | undefined {
  return el.attribs[name];
}

/** HTML's white space (not U+00A0, which is text) collapsed, as a browser lays text out. */
export function collapse(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, " ").trim();
}

/** The text of an element as a reader sees it. */
export function textOf(el: Element): string {
  return collapse(DomUtils.textContent(el));
}

/** Every text node (CDATA included) with the element it stands in. */
export function* textNodes(root: Parent, parent: Element | null = null): Generator<{ text: string; parent: Element | null }> {
  for (const node of root.children) {
    if (node.type === ElementType.Text && "data" in node) yield { text: node.data, parent };
    else if ("children" in node) yield* textNodes(node, "attribs" in node ? node : parent);
  }
}

// Elements that lay their text out as a block of its own.
const BLOCKS = new Set(["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dt", "dd", "td", "th", "caption", "figcaption"]);

/**
 * The text of each block under a node, in document order, each without the
 * text of the blocks inside it: what a reader sees as separate paragraphs,
 * list items and headings, whatever Markdown made them.
 */
export function blockTexts(root: Parent): string[] {
  const blocks: string[][] = [];
  const walk = (node: Parent, into: string[] | undefined) => {
    for (const child of node.children) {
      if (child.type === ElementType.Text && "data" in child) into?.push(child.data);
      else if ("children" in child) {
        const block = "name" in child && BLOCKS.has(child.name) ? [] : into;
        if (block !== into) blocks.push(block!);
        walk(child, block);
      }
    }
  };
  walk(root, undefined);
  return blocks.map((parts) => collapse(parts.join(""))).filter((text) => text !== "");
}
