// CloudFormation's YAML short forms (!Ref, !Sub, ...) as custom tags of the `yaml` package, each turned
// into the long form CloudFormation itself reads ({"Ref": ...}, {"Fn::Sub": ...}).
import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';

/** Short-form tag names whose long form is `Fn::<name>`. */
const FUNCTION_TAGS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'Transform',
] as const;

type Tag = ScalarTag | CollectionTag;

function tagsFor(tag: string, longForm: (value: unknown) => unknown): Tag[] {
  const fromCollection = (node: YAMLMap.Parsed | YAMLSeq.Parsed) => longForm(node.toJSON());
  return [
    { tag, resolve: (value: string) => longForm(value) },
    { tag, collection: 'seq', resolve: fromCollection },
    { tag, collection: 'map', resolve: fromCollection },
  ];
}

/** `!GetAtt A.B` is the string form of `{"Fn::GetAtt": ["A", "B"]}`; the attribute may hold dots. */
function getAtt(value: unknown): unknown {
  if (typeof value !== 'string') return { 'Fn::GetAtt': value };
  const dot = value.indexOf('.');
  return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
}

/** The custom tags to pass as `customTags` when parsing a CloudFormation template. */
export const CLOUDFORMATION_TAGS: Tag[] = [
  ...tagsFor('!Ref', (value) => ({ Ref: value })),
  ...tagsFor('!Condition', (value) => ({ Condition: value })),
  ...tagsFor('!GetAtt', getAtt),
  ...FUNCTION_TAGS.flatMap((name) => tagsFor(`!${name}`, (value) => ({ [`Fn::${name}`]: value }))),
];
