/**
 * XML for the awsQuery protocols (SNS, IAM, STS). Responses are built from plain objects: an object becomes
 * nested elements, an array becomes repeated `<member>` children (or the name given with `xmlList`), a Date an
 * ISO-8601 timestamp, and `undefined` is left out, as AWS leaves out absent members.
 */
export class XmlList {
  constructor(
    readonly items: readonly unknown[],
    readonly itemName: string,
  ) {}
}

/** An array whose items are serialized as `<itemName>` elements instead of `<member>`. */
export function xmlList(items: readonly unknown[], itemName: string): XmlList {
  return new XmlList(items, itemName);
}

/** A string-to-string map, serialized as SNS does: `<entry><key>k</key><value>v</value></entry>`. */
export function xmlMap(map: Record<string, string>): XmlList {
  return new XmlList(
    Object.entries(map).map(([key, value]) => ({ key, value })),
    'entry',
  );
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"\r]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case "'":
        return '&apos;';
      case '"':
        return '&quot;';
      default:
        return '&#xD;';
    }
  });
}

export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlList) {
    return `<${name}>${value.items.map((item) => toXml(value.itemName, item)).join('')}</${name}>`;
  }
  if (Array.isArray(value)) {
    return `<${name}>${value.map((item) => toXml('member', item)).join('')}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
