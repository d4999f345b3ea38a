package syntax

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// This file is the concrete syntax tree: participle grammar structs, no
// behaviour. Every struct records Pos (first token) and EndPos (just after the
// last token), which become the byte-offset spans of the AST. lower.go turns
// the CST into lang/ast immediately; nothing outside this package sees it.
//
// Expressions are one struct per precedence level (or < and < comparison <
// additive < multiplicative < unary < postfix < primary); each level is a
// first operand plus a list of (operator, operand) tails, made left
// associative when lowering.

type span struct {
	Pos    lexer.Position
	EndPos lexer.Position
}

// ---------------------------------------------------------------------------
// Statements

type cstQuery struct {
	span
	Stmts []*cstStmt `parser:"';'* ( @@ ( ';'+ @@? )* )?"`
}

type cstStmt struct {
	span
	Let     *cstLet     `parser:"  @@"`
	Set     *cstSet     `parser:"| @@"`
	Declare *cstDeclare `parser:"| @@"`
	Alias   *cstAlias   `parser:"| @@"`
	Pattern *cstPattern `parser:"| @@"`
	Expr    *cstPipe    `parser:"| (?! 'let' ) @@"`
}

type cstLet struct {
	span
	Name  *cstName    `parser:"'let' @@ '='"`
	View  bool        `parser:"( @'view'"`
	VFunc *cstFuncDef `parser:"  @@"`
	Func  *cstFuncDef `parser:"| @@"`
	Value *cstPipe    `parser:"| @@ )"`
}

type cstFuncDef struct {
	span
	Params []*cstParam `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
	Body   *cstBlock   `parser:"@@"`
}

type cstBlock struct {
	span
	Stmts []*cstStmt `parser:"'{' ';'* ( @@ ( ';'+ @@? )* )? '}'"`
}

type cstParam struct {
	span
	Name    *cstName    `parser:"@@ ':'"`
	Type    *cstTypeRef `parser:"@@"`
	Default *cstOr      `parser:"( '=' @@ )?"`
}

type cstTypeRef struct {
	span
	Scalar  string       `parser:"  @Ident"`
	Tabular bool         `parser:"| @'('"`
	Cols    []*cstTabCol `parser:"  ( @@ ( ',' @@ )* )? ')'"`
}

type cstTabCol struct {
	span
	Star bool        `parser:"  @'*'"`
	Col  *cstColDecl `parser:"| @@"`
}

type cstColDecl struct {
	span
	Name *cstName `parser:"@@ ':'"`
	Type string   `parser:"@Ident"`
}

type cstSet struct {
	span
	Name  string `parser:"'set' @( Ident | Hint ) ( @'.' @Ident )*"`
	Value *cstOr `parser:"( '=' @@ )?"`
}

type cstDeclare struct {
	span
	Params []*cstParam `parser:"'declare' 'query_parameters' '(' ( @@ ( ',' @@ )* )? ')'"`
}

type cstAlias struct {
	span
	Name  *cstName `parser:"'alias' 'database' @@ '='"`
	Value *cstOr   `parser:"@@"`
}

// ---------------------------------------------------------------------------
// Tabular expressions

type cstPipe struct {
	span
	Src *cstSrcOp `parser:"( (?= 'print' | 'range' | 'union' | 'evaluate' | 'search' | 'find' ) @@"`
	X   *cstOr    `parser:"| @@ )"`
	Ops []*cstOp  `parser:"( '|' @@ )*"`
}

// cstSubPipe is a pipeline without a source (mv-apply, fork, facet, partition).
type cstSubPipe struct {
	span
	Ops []*cstOp `parser:"'|'? @@ ( '|' @@ )*"`
}

type cstSrcOp struct {
	span
	Print    *cstPrint    `parser:"  @@"`
	Range    *cstRange    `parser:"| @@"`
	Union    *cstUnion    `parser:"| @@"`
	Evaluate *cstEvaluate `parser:"| @@"`
	Search   *cstSearch   `parser:"| @@"`
	Find     *cstFind     `parser:"| @@"`
}

type cstOp struct {
	span
	Where          *cstWhere          `parser:"  @@"`
	Project        *cstProject        `parser:"| @@"`
	ProjectAway    *cstProjectAway    `parser:"| @@"`
	ProjectKeep    *cstProjectKeep    `parser:"| @@"`
	ProjectRename  *cstProjectRename  `parser:"| @@"`
	ProjectReorder *cstProjectReorder `parser:"| @@"`
	Extend         *cstExtend         `parser:"| @@"`
	Summarize      *cstSummarize      `parser:"| @@"`
	Count          *cstCount          `parser:"| @@"`
	Take           *cstTake           `parser:"| @@"`
	TopNested      *cstTopNested      `parser:"| @@"`
	TopHitters     *cstTopHitters     `parser:"| @@"`
	Top            *cstTop            `parser:"| @@"`
	Sort           *cstSort           `parser:"| @@"`
	Distinct       *cstDistinct       `parser:"| @@"`
	Join           *cstJoin           `parser:"| @@"`
	Lookup         *cstLookup         `parser:"| @@"`
	Union          *cstUnion          `parser:"| @@"`
	MvExpand       *cstMvExpand       `parser:"| @@"`
	MvApply        *cstMvApply        `parser:"| @@"`
	Parse          *cstParse          `parser:"| @@"`
	ParseKV        *cstParseKV        `parser:"| @@"`
	MakeSeries     *cstMakeSeries     `parser:"| @@"`
	Render         *cstRender         `parser:"| @@"`
	Evaluate       *cstEvaluate       `parser:"| @@"`
	Invoke         *cstInvoke         `parser:"| @@"`
	As             *cstAs             `parser:"| @@"`
	Serialize      *cstSerialize      `parser:"| @@"`
	Scan           *cstScan           `parser:"| @@"`
	SampleDistinct *cstSampleDistinct `parser:"| @@"`
	Sample         *cstSample         `parser:"| @@"`
	GetSchema      *cstGetSchema      `parser:"| @@"`
	Facet          *cstFacet          `parser:"| @@"`
	Fork           *cstFork           `parser:"| @@"`
	Partition      *cstPartition      `parser:"| @@"`
	Search         *cstSearch         `parser:"| @@"`
	Find           *cstFind           `parser:"| @@"`
	Print          *cstPrint          `parser:"| @@"`
	Range          *cstRange          `parser:"| @@"`
	Consume        *cstConsume        `parser:"| @@"`
	Reduce         *cstReduce         `parser:"| @@"`
	Generic        *cstGeneric        `parser:"| @@"`
}

// Options. hint.* options are allowed where the operator takes only hints;
// cstOpt knows every operator option name; cstWithOpt (inside `with (...)`)
// takes any name.

type cstHintOpt struct {
	span
	Name  string     `parser:"@Hint '='"`
	Value *cstOptVal `parser:"@@"`
}

type cstOpt struct {
	span
	Name  string     `parser:"@( 'kind' | 'withsource' | 'isfuzzy' | 'bagexpansion' | 'with_itemindex' | 'flags' | 'with_match_id' | Hint ) '='"`
	Value *cstOptVal `parser:"@@"`
}

type cstWithOpt struct {
	span
	Name  string       `parser:"@( Ident | Hint ) '='"`
	Value *cstOptVal   `parser:"@@"`
	More  []*cstOptVal `parser:"( ',' (?! ( Ident | Hint ) '=' ) @@ )*"` // render ycolumns=a, b
}

type cstOptVal struct {
	span
	Neg  bool     `parser:"@'-'?"`
	Lit  string   `parser:"( @( String | Number | Timespan | TypedLit )"`
	Name *cstName `parser:"| @@ )"`
}

type cstWhere struct {
	span
	Kw   string `parser:"@( 'where' | 'filter' )"`
	Pred *cstOr `parser:"@@"`
}

type cstNamed struct {
	span
	Names []*cstName `parser:"( '(' @@ ( ',' @@ )* ')' '=' | @@ '=' )?"`
	X     *cstOr     `parser:"@@"`
}

type cstProject struct {
	span
	Items []*cstNamed `parser:"'project' @@ ( ',' @@ )*"`
}

type cstProjectAway struct {
	span
	Cols []*cstWild `parser:"'project-away' @@ ( ',' @@ )*"`
}

type cstProjectKeep struct {
	span
	Cols []*cstWild `parser:"'project-keep' @@ ( ',' @@ )*"`
}

type cstProjectRename struct {
	span
	Items []*cstNamed `parser:"'project-rename' @@ ( ',' @@ )*"`
}

type cstReorderKey struct {
	span
	Col   *cstWild `parser:"@@"`
	Order string   `parser:"@( 'asc' | 'desc' | 'granny-asc' | 'granny-desc' )?"`
}

type cstProjectReorder struct {
	span
	Keys []*cstReorderKey `parser:"'project-reorder' @@ ( ',' @@ )*"`
}

type cstExtend struct {
	span
	Items []*cstNamed `parser:"'extend' @@ ( ',' @@ )*"`
}

type cstSummarize struct {
	span
	Opts   []*cstHintOpt `parser:"'summarize' @@*"`
	ByOnly []*cstNamed   `parser:"( 'by' @@ ( ',' @@ )*"`
	Aggs   []*cstNamed   `parser:"| @@ ( ',' @@ )*"`
	By     []*cstNamed   `parser:"  ( 'by' @@ ( ',' @@ )* )? )?"`
}

type cstCount struct {
	span
	Kw bool     `parser:"@'count'"`
	As *cstName `parser:"( 'as' @@ )?"`
}

type cstTake struct {
	span
	Kw string `parser:"@( 'take' | 'limit' )"`
	N  *cstOr `parser:"@@"`
}

type cstSortKey struct {
	span
	X     *cstOr `parser:"@@"`
	Order string `parser:"@( 'asc' | 'desc' )?"`
	Nulls string `parser:"( 'nulls' @( 'first' | 'last' ) )?"`
}

type cstTop struct {
	span
	N  *cstOr        `parser:"'top' @@"`
	By []*cstSortKey `parser:"'by' @@ ( ',' @@ )*"`
}

type cstSort struct {
	span
	Kw   string        `parser:"@( 'sort' | 'order' )"`
	Opts []*cstHintOpt `parser:"@@*"`
	Keys []*cstSortKey `parser:"'by' @@ ( ',' @@ )*"`
}

type cstDistinct struct {
	span
	Opts []*cstHintOpt `parser:"'distinct' @@*"`
	Star bool          `parser:"( @'*'"`
	Cols []*cstNamed   `parser:"| @@ ( ',' @@ )* )"`
}

type cstJoin struct {
	span
	Opts  []*cstOpt `parser:"'join' @@*"`
	Right *cstOr    `parser:"@@"`
	On    []*cstOr  `parser:"( 'on' @@ ( ',' @@ )* )?"`
}

type cstLookup struct {
	span
	Opts  []*cstOpt `parser:"'lookup' @@*"`
	Right *cstOr    `parser:"@@"`
	On    []*cstOr  `parser:"( 'on' @@ ( ',' @@ )* )?"`
}

type cstUnionItem struct {
	span
	Wild *cstStarName `parser:"  @@"`
	X    *cstOr       `parser:"| @@"`
}

type cstUnion struct {
	span
	Opts   []*cstOpt       `parser:"'union' @@*"`
	Tables []*cstUnionItem `parser:"@@ ( ',' @@ )*"`
}

type cstMvItem struct {
	span
	Name *cstName `parser:"( @@ '=' )?"`
	X    *cstOr   `parser:"@@"`
	To   string   `parser:"( 'to' 'typeof' '(' @Ident ')' )?"`
}

type cstMvExpand struct {
	span
	Kw    string       `parser:"@( 'mv-expand' | 'mvexpand' )"`
	Opts  []*cstOpt    `parser:"@@*"`
	Items []*cstMvItem `parser:"@@ ( ',' @@ )*"`
	Limit *cstOr       `parser:"( 'limit' @@ )?"`
}

type cstMvApply struct {
	span
	Opts  []*cstOpt    `parser:"( 'mv-apply' | 'mvapply' ) @@*"`
	Items []*cstMvItem `parser:"@@ ( ',' @@ )*"`
	Limit *cstOr       `parser:"( 'limit' @@ )?"`
	On    *cstSubPipe  `parser:"'on' '(' @@ ')'"`
}

type cstParsePart struct {
	span
	Strs []string `parser:"  @( String | MLString )+"`
	Star bool     `parser:"| @'*'"`
	Col  *cstName `parser:"| @@"`
	Type string   `parser:"  ( ':' @Ident )?"`
}

type cstParse struct {
	span
	Kw    string          `parser:"@( 'parse' | 'parse-where' )"`
	Opts  []*cstOpt       `parser:"@@*"`
	X     *cstOr          `parser:"@@"`
	Parts []*cstParsePart `parser:"'with' @@+"`
}

type cstParseKV struct {
	span
	X    *cstOr        `parser:"'parse-kv' @@"`
	Cols []*cstColDecl `parser:"'as' '(' @@ ( ',' @@ )* ')'"`
	With []*cstWithOpt `parser:"( 'with' '(' ( @@ ( ',' @@ )* )? ')' )?"`
}

type cstMsAgg struct {
	span
	Agg     *cstNamed `parser:"@@"`
	Default *cstOr    `parser:"( 'default' '=' @@ )?"`
}

type cstMakeSeries struct {
	span
	Opts    []*cstOpt   `parser:"'make-series' @@*"`
	Aggs    []*cstMsAgg `parser:"@@ ( ',' @@ )*"`
	On      *cstOr      `parser:"'on' @@"`
	InRange []*cstOr    `parser:"( 'in' 'range' '(' @@ ',' @@ ',' @@ ')'"`
	From    *cstOr      `parser:"| ( 'from' @@ )?"`
	To      *cstOr      `parser:"  ( 'to' @@ )?"`
	Step    *cstOr      `parser:"  'step' @@ )"`
	By      []*cstNamed `parser:"( 'by' @@ ( ',' @@ )* )?"`
}

type cstRender struct {
	span
	Kind string        `parser:"'render' @Ident"`
	With []*cstWithOpt `parser:"( 'with' '(' ( @@ ( ',' @@ )* )? ')' | @@+ )?"`
}

type cstEvaluate struct {
	span
	Opts   []*cstOpt   `parser:"'evaluate' @@*"`
	Call   *cstCall    `parser:"@@"`
	Schema *cstTypeRef `parser:"( ':' @@ )?"`
}

type cstInvoke struct {
	span
	Call *cstCall `parser:"'invoke' @@"`
}

type cstAs struct {
	span
	Opts []*cstOpt `parser:"'as' @@*"`
	Name *cstName  `parser:"@@"`
}

type cstSerialize struct {
	span
	Kw    bool        `parser:"@'serialize'"`
	Items []*cstNamed `parser:"( @@ ( ',' @@ )* )?"`
}

type cstScanStep struct {
	span
	Name    *cstName    `parser:"'step' @@"`
	Output  string      `parser:"( 'output' '=' @Ident )?"`
	Pred    *cstOr      `parser:"':' @@"`
	Assigns []*cstNamed `parser:"( '=>' @@ ( ',' @@ )* )? ';'?"`
}

type cstScan struct {
	span
	Opts    []*cstOpt      `parser:"'scan' @@*"`
	Declare []*cstParam    `parser:"( 'declare' '(' @@ ( ',' @@ )* ')' )?"`
	Steps   []*cstScanStep `parser:"'with' '(' @@+ ')'"`
}

type cstSample struct {
	span
	N *cstOr `parser:"'sample' @@"`
}

type cstSampleDistinct struct {
	span
	N  *cstOr `parser:"'sample-distinct' @@"`
	Of *cstOr `parser:"'of' @@"`
}

type cstGetSchema struct {
	span
	Kw bool `parser:"@'getschema'"`
}

type cstFacet struct {
	span
	Cols []*cstName  `parser:"'facet' 'by' @@ ( ',' @@ )*"`
	With *cstSubPipe `parser:"( 'with' '(' @@ ')' )?"`
}

type cstForkBranch struct {
	span
	Name *cstName    `parser:"( @@ '=' )?"`
	Ops  *cstSubPipe `parser:"'(' @@ ')'"`
}

type cstFork struct {
	span
	Branches []*cstForkBranch `parser:"'fork' @@+"`
}

type cstPartition struct {
	span
	Opts  []*cstOpt   `parser:"'partition' @@*"`
	By    *cstName    `parser:"'by' @@"`
	Sub   *cstSubPipe `parser:"( '(' @@ ')'"`
	Brace *cstPipe    `parser:"| '{' @@ '}' )"`
}

type cstTopNestedLevel struct {
	span
	N      *cstOr    `parser:"( (?! 'of' ) @@ )?"`
	Of     *cstNamed `parser:"'of' @@"`
	Others *cstOr    `parser:"( 'with' 'others' '=' @@ )?"`
	By     *cstNamed `parser:"'by' @@"`
	Order  string    `parser:"@( 'asc' | 'desc' )?"`
}

type cstTopNested struct {
	span
	Levels []*cstTopNestedLevel `parser:"'top-nested' @@ ( ',' 'top-nested' @@ )*"`
}

type cstTopHitters struct {
	span
	N  *cstOr `parser:"'top-hitters' @@"`
	Of *cstOr `parser:"'of' @@"`
	By *cstOr `parser:"( 'by' @@ )?"`
}

type cstSearch struct {
	span
	Opts []*cstOpt       `parser:"'search' @@*"`
	In   []*cstUnionItem `parser:"( 'in' '(' @@ ( ',' @@ )* ')' )?"`
	Pred *cstOr          `parser:"@@"`
}

// cstFindCol is one item of find's project list: a column with an
// optional type, or pack_all().
type cstFindCol struct {
	span
	PackAll bool     `parser:"  @'pack_all' '(' ')'"`
	Col     *cstWild `parser:"| @@"`
	Type    string   `parser:"  ( ':' @Ident )?"`
}

type cstFind struct {
	span
	Opts    []*cstOpt       `parser:"'find' @@*"`
	In      []*cstUnionItem `parser:"( 'in' '(' @@ ( ',' @@ )* ')' )?"`
	Pred    *cstOr          `parser:"( 'where' @@ | @@ )"`
	Smart   bool            `parser:"( @'project-smart'"`
	Project []*cstFindCol   `parser:"| 'project' @@ ( ',' @@ )* )?"`
}

type cstPrint struct {
	span
	Kw    bool        `parser:"@'print'"`
	Items []*cstNamed `parser:"( @@ ( ',' @@ )* )?"`
}

type cstRange struct {
	span
	Col  *cstName `parser:"'range' @@"`
	From *cstOr   `parser:"'from' @@"`
	To   *cstOr   `parser:"'to' @@"`
	Step *cstOr   `parser:"'step' @@"`
}

type cstConsume struct {
	span
	Kw   bool      `parser:"@'consume'"`
	Opts []*cstOpt `parser:"@@*"`
}

type cstReduce struct {
	span
	Opts []*cstOpt     `parser:"'reduce' @@*"`
	By   *cstOr        `parser:"'by' @@"`
	With []*cstWithOpt `parser:"( 'with' @@ ( ',' @@ )* )?"`
}

// ---------------------------------------------------------------------------
// Scalar expressions

type cstOr struct {
	span
	L *cstAnd   `parser:"@@"`
	R []*cstAnd `parser:"( 'or' @@ )*"`
}

type cstAnd struct {
	span
	L *cstCmp   `parser:"@@"`
	R []*cstCmp `parser:"( 'and' @@ )*"`
}

type cstCmp struct {
	span
	L     *cstAdd       `parser:"@@"`
	Tails []*cstCmpTail `parser:"( (?= 'in' | InCI | 'has_any' | 'has_all' | 'between' | 'matches' | '==' | '=' | '!=' | '<>' | '<=' | '>=' | '<' | '>' | '=~' | '!~' | NotOp | 'has' | 'has_cs' | 'hasprefix' | 'hasprefix_cs' | 'hassuffix' | 'hassuffix_cs' | 'contains' | 'contains_cs' | 'startswith' | 'startswith_cs' | 'endswith' | 'endswith_cs' | 'like' | 'notlike' | 'likecs' | 'notlikecs' | 'notcontains' | 'notcontainscs' | 'containscs' | 'notbetween' | ':' String ) @@ )*"`
}

type cstCmpTail struct {
	span
	InOp    string     `parser:"  @( 'in' | InCI | '!in' | '!in~' | 'has_any' | 'has_all' )"`
	List    []*cstPipe `parser:"  '(' ( @@ ( ',' @@ )* )? ')'"`
	Between string     `parser:"| @( 'between' | '!between' ) '('"`
	Lo      *cstAdd    `parser:"  @@ '..'"`
	Hi      *cstAdd    `parser:"  @@ ')'"`
	Op      []string   `parser:"| ( @( '==' | '=' | '!=' | '<>' | '<=' | '>=' | '<' | '>' | '=~' | '!~' | NotOp | 'has' | 'has_cs' | 'hasprefix' | 'hasprefix_cs' | 'hassuffix' | 'hassuffix_cs' | 'contains' | 'contains_cs' | 'startswith' | 'startswith_cs' | 'endswith' | 'endswith_cs' | 'like' | 'notlike' | 'likecs' | 'notlikecs' | 'notcontains' | 'notcontainscs' | 'containscs' | 'notbetween' ) | @'matches' @'regex' | @':' )"`
	R       *cstAdd    `parser:"  @@"`
}

type cstAdd struct {
	span
	L *cstMul       `parser:"@@"`
	R []*cstAddTail `parser:"@@*"`
}

type cstAddTail struct {
	span
	Op string  `parser:"@( '+' | '-' )"`
	X  *cstMul `parser:"@@"`
}

type cstMul struct {
	span
	L *cstUnary     `parser:"@@"`
	R []*cstMulTail `parser:"@@*"`
}

type cstMulTail struct {
	span
	Op string    `parser:"@( '*' | '/' | '%' )"`
	X  *cstUnary `parser:"@@"`
}

type cstUnary struct {
	span
	Ops []string    `parser:"@( '-' | '+' )*"`
	X   *cstPostfix `parser:"@@"`
}

type cstPostfix struct {
	span
	X   *cstPrimary  `parser:"@@"`
	Suf []*cstSuffix `parser:"@@*"`
}

type cstSuffix struct {
	span
	Member *cstName `parser:"  '.' @@"`
	Args   *cstArgs `parser:"  @@?"`
	Index  *cstOr   `parser:"| '.'? '[' @@ ']'"`
}

type cstArgs struct {
	span
	Args []*cstArg `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
}

type cstArg struct {
	span
	Star bool     `parser:"  @'*'"`
	Name *cstName `parser:"| ( @@ '=' )?"`
	X    *cstPipe `parser:"  @@"`
}

type cstCall struct {
	span
	Name *cstName `parser:"@@"`
	Args *cstArgs `parser:"@@"`
}

type cstPrimary struct {
	span
	Call      *cstCall      `parser:"  (?! 'dynamic' '(' | 'datatable' '(' | 'externaldata' '(' ) ( @@"`
	Name      *cstName      `parser:"  | @@ )"`
	Strings   []string      `parser:"| @( String | MLString )+"`
	Number    string        `parser:"| @( Timespan | Number )"`
	TypedLit  string        `parser:"| @TypedLit"`
	Paren     []*cstPipe    `parser:"| '(' @@ ( ',' @@ )* ')'"`
	EmptyDyn  bool          `parser:"| 'dynamic' '(' @')'"`
	Dynamic   *cstJSON      `parser:"| 'dynamic' '(' @@ ')'"`
	Datatable *cstDatatable `parser:"| @@"`
	External  *cstExternal  `parser:"| @@"`
	Star      bool          `parser:"| @'*'"`
}

type cstName struct {
	span
	Ident  string `parser:"  @Ident"`
	Quoted string `parser:"| '[' @String ']'"`
}

type cstDatatable struct {
	span
	Cols   []*cstColDecl `parser:"'datatable' '(' @@ ( ',' @@ )* ','? ')'"`
	Values []*cstOr      `parser:"'[' ( @@ ( ',' @@ )* ','? )? ']'"`
}

type cstExternal struct {
	span
	Cols []*cstColDecl `parser:"'externaldata' '(' @@ ( ',' @@ )* ','? ')'"`
	URIs []*cstOr      `parser:"'[' ( @@ ( ',' @@ )* ','? )? ']'"`
	With []*cstWithOpt `parser:"( 'with' '(' ( @@ ( ',' @@ )* )? ')' )?"`
}

// cstJSON is the contents of dynamic(...): JSON with single-quoted strings
// allowed, plus Kusto scalar literals.
type cstJSON struct {
	span
	Dyn  *cstJSON    `parser:"  'dynamic' '(' @@ ')'"`
	Obj  *cstJSONObj `parser:"| @@"`
	Arr  *cstJSONArr `parser:"| @@"`
	Str  []string    `parser:"| @( String | MLString )+"`
	Neg  string      `parser:"| @( '-' | '+' )?"`
	Num  string      `parser:"  ( @( Number | Timespan )"`
	Word string      `parser:"  | @( Ident | TypedLit ) )"`
}

type cstJSONObj struct {
	span
	Pairs []*cstJSONPair `parser:"'{' ( @@ ( ',' @@ )* ','? )? '}'"`
}

type cstJSONPair struct {
	span
	Key   string   `parser:"( @String | @Ident ) ':'"`
	Value *cstJSON `parser:"@@"`
}

type cstJSONArr struct {
	span
	Items []*cstJSON `parser:"'[' ( @@ ( ',' @@ )* ','? )? ']'"`
}
