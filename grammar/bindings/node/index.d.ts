type BaseNode = {
  type: string;
  named: boolean;
};

type ChildNode = {
  multiple: boolean;
  required: boolean;
  types: BaseNode[];
};

type NodeInfo =
  | (BaseNode & {
      subtypes: BaseNode[];
    })
  | (BaseNode & {
      fields: { [name: string]: ChildNode };
      children: ChildNode[];
    });

type Grammar = {
  name: "article";
  scope: string;
  root: string;
  srcPath: string;
  queriesPath: string;
  queries: {
    highlights: string;
    folds: string;
    tags: string;
    textobjects: string;
    outline: string;
  };
  nodeTypeInfo: NodeInfo[];
};

declare const grammar: Grammar;
export = grammar;
