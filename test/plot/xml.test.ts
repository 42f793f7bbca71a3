// The checker behind the "well-formed SVG" assertions must itself reject malformed XML,
// otherwise those assertions could not fail.
import { describe, expect, it } from 'vitest';
import { parseXml, findAll } from './xml.js';

describe('test XML checker', () => {
  it('parses nested elements, attributes and entities', () => {
    const root = parseXml('<?xml version="1.0"?><a x="1 &amp; 2"><b/>t&lt;u<c y=\'&#65;\'>v</c></a>');
    expect(root.name).toBe('a');
    expect(root.attrs.x).toBe('1 & 2');
    expect(root.text).toBe('t<u');
    expect(findAll(root, (e) => e.name === 'c')[0].attrs.y).toBe('A');
  });

  it.each([
    ['<a><b></a></b>', /closes/],
    ['<a>x < y</a>', /bad tag name/],
    ['<a>x & y</a>', /bad entity/],
    ['<a x=1/>', /unquoted/],
    ['<a x="1" x="2"/>', /duplicate/],
    ['<a x="<"/>', /unescaped/],
    ['<a>', /unclosed/],
    ['<a/><b/>', /more than one root/],
    ['<a x="1"y="2"/>', /missing space/],
  ])('rejects %s', (src, msg) => {
    expect(() => parseXml(src)).toThrow(msg);
  });
});
