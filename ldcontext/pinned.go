package ldcontext

// Kind says what a pinned document is.
type Kind string

// Kinds of pinned documents.
const (
	KindContext Kind = "context" // a JSON-LD context
	KindSchema  Kind = "schema"  // a JSON Schema
	KindExtra   Kind = "extra"   // operator-added through Config.Extra; kind not recorded
)

// pin is one row of the table: what the document is, the hex SHA-256 of its
// RFC 8785 (JCS) form, and where the pinned copy came from.
type pin struct {
	kind       Kind
	sha256     string
	provenance string
}

// pinned is the table of documents Accolade will load, keyed by the URL
// exactly as it appears in "@context" or "credentialSchema".
//
// The digests were computed with Digest from the shared, reviewed copies in
// shared/contexts (every entry of index.json "contexts"; "variants" are
// deliberately absent) and shared/testdata/{ob3/schema,vcdm2}.
// TestPinnedTableMatchesSharedFiles recomputes each one, so a change here
// that is not backed by those files fails the build. Adding a document:
// review it, put it in the shared directories with its source, add its row,
// run the test.
var pinned = map[string]pin{
	// W3C VCDM 2.0 base context. Raw bytes match the sha256 published in the
	// REC (2025-05-15) Appendix B.1 (59955ced…).
	"https://www.w3.org/ns/credentials/v2": {KindContext,
		"b463c8d6a066214123ddd9827b135e1b50e1fc73322cc52a9b12a4f1fc7d86cf",
		"w3c/vc-data-model@979c4af1 contexts/credentials/v2; raw sha256 = VCDM 2.0 REC B.1"},
	// VCDM 1.1 base context, for VCDM 1.1-shaped OB credentials. Raw bytes
	// match the 1.1 REC digest (ab4ddd9a…).
	"https://www.w3.org/2018/credentials/v1": {KindContext,
		"b01e671e873981f19a9102a9a57f666dbcaeb31b99e3e124378d143e71549247",
		"w3c/vc-data-model@979c4af1 contexts/credentials/v1; raw sha256 = VCDM 1.1 REC"},
	// Examples contexts: needed by the W3C test vectors only.
	"https://www.w3.org/ns/credentials/examples/v2": {KindContext,
		"8a675bead391be98e6054c4e07c41f73337508d398e07047344c5d349aa2dc58",
		"w3c/vc-data-model@979c4af1 contexts/credentials/examples/v2; digestMultibase in VCDM 2.0 REC; examples only"},
	"https://www.w3.org/2018/credentials/examples/v1": {KindContext,
		"5bca9da34aefb4c5e0cd993e222e58827734e0928fda0210ee73413c43d6e5e5",
		"w3c/vc-data-model@979c4af1 contexts/credentials/examples/v1; examples only"},
	"https://www.w3.org/ns/credentials/undefined-terms/v2": {KindContext,
		"3b11e1df8c618447e9f79f3737e3c30fc0841537eb95f36003742c633672bb9f",
		"w3c/vc-data-model@979c4af1 contexts/credentials/undefined-terms/v2; not for production"},

	// Open Badges 3.0 contexts (1EdTech spec repo; 3.0.3 is the one OB 3.0
	// requires, older versions are accepted by the OB schema).
	"https://purl.imsglobal.org/spec/ob/v3p0/context.json": {KindContext,
		"2c54acaa1cffda2420be32ab61f0a2082051211131c6337686f36f2537aa859b",
		"1EdTech/openbadges-specification@1af145ff ob_v3p0/context.json (3.0.0)"},
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": {KindContext,
		"8bb2354552b70cbdf2066f6d3e24bc5c2be2619145737580ad2aebdc366e77d5",
		"1EdTech/openbadges-specification@1af145ff ob_v3p0/context-3.0.1.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": {KindContext,
		"bdd1d11a55a660322f24660862a1d430ee80cce584465f750909daa43684357c",
		"1EdTech/openbadges-specification@1af145ff ob_v3p0/context-3.0.2.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": {KindContext,
		"c5e555a91a5cf48e32ae0a05674c61ddd5c053b680b5643b2f57f9965e386d99",
		"1EdTech/openbadges-specification@1af145ff ob_v3p0/context-3.0.3.json (spec repo, without the validator's jti/endorsementJwt additions)"},
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": {KindContext,
		"15f4c347c6fe4380d9b6b93795859e33747ef48d5c55b91a71c52fb51c7bcbd7",
		"1EdTech/digital-credentials-public-validator@38254719 cached copy (only source found)"},
	"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": {KindContext,
		"7defe702c102faf14108579b7d65ef39ecf4c3bbef925b803e15bd77cd6e3394",
		"1EdTech/digital-credentials-public-validator@38254719 cached copy (only source found)"},
	"https://purl.imsglobal.org/spec/clr/v2p0/context.json": {KindContext,
		"a2dd0c0c07434663b7b54a51dd8a3363f6d5c420efa87e3d97b4ef8661596d44",
		"1EdTech/digital-credentials-public-validator@38254719 cached copy (CLR 2.0.0)"},

	// Data Integrity, key and status contexts.
	"https://w3id.org/security/data-integrity/v1": {KindContext,
		"9505bf85338a4c2121ad03992ac90061bc85d43bcfa34d9d47b779381cf08b5f",
		"w3c/vc-data-integrity@570d7641 contexts/data-integrity/v1 (superseded by v2)"},
	"https://w3id.org/security/data-integrity/v2": {KindContext,
		"7ba3c50acf2689d5e07927267343eb353249c7c22a9f2d00307cc970e855e305",
		"w3c/vc-data-integrity@570d7641 contexts/data-integrity/v2; raw sha256 = VC DI 1.0 REC 2.4"},
	"https://w3id.org/security/multikey/v1": {KindContext,
		"be20c3ee6af6e9c4102e66a85c26617831218e32216bdf050f870e389e737cdc",
		"w3c/vc-data-integrity@570d7641 contexts/multikey/v1; raw sha256 = VC DI 1.0 REC 2.4"},
	"https://w3id.org/security/jwk/v1": {KindContext,
		"38dd329a9a011facda06afc4ba43a121980eaedbd1f974268026d157926bc086",
		"w3c/vc-data-integrity@570d7641 contexts/jwk/v1; raw sha256 = VC DI 1.0 REC 2.4"},
	"https://w3id.org/security/suites/ed25519-2020/v1": {KindContext,
		"fb517f09d990829aed734c9bad8cbbb2ac3d5063b865c7e3d81f246074bf5691",
		"digitalbazaar/ed25519-signature-2020-context@e19889b4 (w3id redirect target; legacy suite)"},
	"https://w3id.org/security/suites/jws-2020/v1": {KindContext,
		"eed16334842a5635257913b33acd1aeee29009eb188d855f9a1d0ceee4a8ae4d",
		"w3c/vc-jws-2020@38923458 contexts/v1 (w3id redirect target)"},
	"https://www.w3.org/ns/did/v1": {KindContext,
		"a7e146c40fcec005d3f0f14ae745665f446da58d7914a9d8f733746686fad82b",
		"1EdTech validator copy; JCS-equal to npm did-context@3.1.1"},
	"https://www.w3.org/ns/cid/v1": {KindContext,
		"9fc257da5b37784ca2b07c3ad666f5ff9beea846a360ddd229fd0b44972015c8",
		"w3c/cid@2b962ac2 context/v1.jsonld"},
	"https://www.w3.org/ns/credentials/status/v1": {KindContext,
		"b2fcebfbaf4e6beae2be370fda8a5f9f99c28540c798a75a8cdccc0fb1a12492",
		"w3c/vc-bitstring-status-list@74fcae11 contexts/v1.jsonld; raw sha256 = BSL 1.0 REC 5.2"},
	"https://w3id.org/vc/status-list/2021/v1": {KindContext,
		"9768f9aa81ab6c3e2ad96b2d669eaba67afe13fff0140a853f1e3d313fab13b6",
		"w3c/vc-bitstring-status-list@74fcae11 contexts/2021/v1.jsonld (legacy StatusList2021)"},

	// Open Badges 3.0 JSON Schemas (draft 2019-09), 1EdTech gh-pages build
	// c73e9663 (2024-07-30). Each is pinned under the URL credentials put in
	// credentialSchema and under its own $id (...-jsonschema1.json). The
	// purl-hosted copy differs in $id only, so its digest differs.
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json": {KindSchema,
		"d01caef83ce400a5474b7d36b44ce7a603e1c20918ab088c8342fb77dc380ec9",
		"1EdTech/openbadges-specification@c73e9663 (gh-pages) docs/schema/achievementcredential.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json": {KindSchema,
		"d01caef83ce400a5474b7d36b44ce7a603e1c20918ab088c8342fb77dc380ec9",
		"1EdTech/openbadges-specification@c73e9663 (gh-pages) docs/schema/achievementcredential.json ($id)"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json": {KindSchema,
		"36e82f191e42beea79739907d380d3ae24539efd2b2fa72f063aa2cb20723c76",
		"1EdTech/openbadges-specification@c73e9663 (gh-pages) docs/schema/endorsementcredential.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json": {KindSchema,
		"36e82f191e42beea79739907d380d3ae24539efd2b2fa72f063aa2cb20723c76",
		"1EdTech/openbadges-specification@c73e9663 (gh-pages) docs/schema/endorsementcredential.json ($id)"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json": {KindSchema,
		"78016694fa6cfc1c7458b5500db56e1fe9197922811814041fd9316948584fb2",
		"1EdTech/openbadges-specification@c73e9663 (gh-pages) docs/schema/profile.json"},
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile-jsonschema1.json": {KindSchema,
		"78016694fa6cfc1c7458b5500db56e1fe9197922811814041fd9316948584fb2",
		"1EdTech/openbadges-specification@c73e9663 (gh-pages) docs/schema/profile.json ($id)"},

	// VCDM 2.0 helper schemas (draft 2020-12), informative, under their $id.
	"https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json": {KindSchema,
		"b16995c25920e34b88322a5c091ed8edd9962820d1481de6706d58a526f7ff4d",
		"w3c/vc-data-model schema/verifiable-credential/verifiable-credential-schema.json (2025-01-26)"},
	"https://www.w3.org/2022/credentials/v2/verifiable-presentation-schema.json": {KindSchema,
		"23923c9f35c6b340614a164a380e172c051cdac2fe01165c9c39881f10e0fb45",
		"w3c/vc-data-model schema/verifiable-presentation/verifiable-presentation-schema.json (2025-01-26)"},
}
