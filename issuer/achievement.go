package issuer

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/accolade-badges/accolade/credential"
	"github.com/google/uuid"
)

const collAchievements = "achievements"

// AchievementInput is what an admin sends to define an achievement (a badge
// class). It maps onto the OB 3.0 Achievement placed in credentials.
type AchievementInput struct {
	Name               string                         `json:"name"`
	Description        string                         `json:"description"`
	Criteria           credential.Criteria            `json:"criteria"`
	Image              *credential.Image              `json:"image,omitempty"`
	AchievementType    string                         `json:"achievementType,omitempty"`
	Alignments         []credential.Alignment         `json:"alignments,omitempty"`
	Tags               []string                       `json:"tags,omitempty"`
	ResultDescriptions []credential.ResultDescription `json:"resultDescriptions,omitempty"`
	// Creator is the ID of the issuer profile that created the achievement
	// (OB Achievement.creator); empty means none.
	Creator        string  `json:"creator,omitempty"`
	HumanCode      string  `json:"humanCode,omitempty"`
	FieldOfStudy   string  `json:"fieldOfStudy,omitempty"`
	Specialization string  `json:"specialization,omitempty"`
	CreditsAvail   float64 `json:"creditsAvailable,omitempty"`
	InLanguage     string  `json:"inLanguage,omitempty"`
	Version        string  `json:"version,omitempty"`
	// ProfileID is the issuer profile credentials of this achievement are
	// issued under; empty means the default profile.
	ProfileID string `json:"profileId,omitempty"`
	// StatusPurpose is the status list purpose of its credentials:
	// revocation (default) or suspension.
	StatusPurpose string `json:"statusPurpose,omitempty"`
}

// Achievement is a stored achievement.
type Achievement struct {
	ID string `json:"id"`
	AchievementInput
	// URL is the achievement's public URL and its id in credentials.
	URL     string    `json:"url"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated,omitzero"`
}

// achievementTypes is OB 3.0's AchievementType enumeration (extensible with "ext:").
var achievementTypes = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`Achievement ApprenticeshipCertificate Assessment Assignment AssociateDegree Award
		Badge BachelorDegree Certificate CertificateOfCompletion Certification CommunityService Competency Course
		CoCurricular Degree Diploma DoctoralDegree Fieldwork GeneralEducationDevelopment JourneymanCertificate
		LearningProgram License Membership ProfessionalDoctorate QualityAssuranceCredential MasterCertificate
		MasterDegree MicroCredential ResearchDoctorate SecondarySchoolDiploma`) {
		achievementTypes[t] = true
	}
}

var (
	extEnum    = regexp.MustCompile(`^ext:[A-Za-z0-9.\-_]+$`)
	resultType = map[string]bool{}
)

func init() {
	for _, t := range strings.Fields(`GradePointAverage LetterGrade Percent PerformanceLevel PredictedScore RawScore Result
		RubricCriterion RubricCriterionLevel RubricScore ScaledScore Status`) {
		resultType[t] = true
	}
}

// Validate checks the input and fills the fixed "type" members.
func (in *AchievementInput) Validate() error {
	var p []*credential.ValidationError
	bad := func(field, reason string) { p = append(p, &credential.ValidationError{Field: field, Reason: reason}) }
	if strings.TrimSpace(in.Name) == "" {
		bad("name", "is required")
	}
	if strings.TrimSpace(in.Description) == "" {
		bad("description", "is required")
	}
	if strings.TrimSpace(in.Criteria.Narrative) == "" && in.Criteria.ID == "" {
		bad("criteria", "needs a narrative, an id (URL of the criteria page), or both")
	}
	if in.Criteria.ID != "" {
		p = appendIf(p, checkURL("criteria.id", in.Criteria.ID, ""))
	}
	p = append(p, checkImage("image", in.Image)...)
	if in.Image != nil {
		in.Image.Type = credential.TypeImage
	}
	if t := in.AchievementType; t != "" && !achievementTypes[t] && !extEnum.MatchString(t) {
		bad("achievementType", fmt.Sprintf("%q is not an OB 3.0 AchievementType (or ext:Name)", t))
	}
	for i := range in.Alignments {
		a := &in.Alignments[i]
		f := fmt.Sprintf("alignments[%d]", i)
		if strings.TrimSpace(a.TargetName) == "" {
			bad(f+".targetName", "is required")
		}
		p = appendIf(p, checkURL(f+".targetUrl", a.TargetURL, ""))
		a.Type = []string{credential.TypeAlignment}
	}
	for i, tag := range in.Tags {
		if strings.TrimSpace(tag) == "" {
			bad(fmt.Sprintf("tags[%d]", i), "must not be empty")
		}
	}
	seen := map[string]bool{}
	for i := range in.ResultDescriptions {
		rd := &in.ResultDescriptions[i]
		f := fmt.Sprintf("resultDescriptions[%d]", i)
		if rd.ID == "" {
			rd.ID = "urn:uuid:" + uuid.NewString()
		}
		if seen[rd.ID] {
			bad(f+".id", "is not unique")
		}
		p = appendIf(p, credential.CheckIRI(f+".id", rd.ID))
		seen[rd.ID] = true
		if strings.TrimSpace(rd.Name) == "" {
			bad(f+".name", "is required")
		}
		if !resultType[rd.ResultType] && !extEnum.MatchString(rd.ResultType) {
			bad(f+".resultType", fmt.Sprintf("%q is not an OB 3.0 ResultType", rd.ResultType))
		}
		rd.Type = []string{credential.TypeResultDescription}
		for j := range rd.RubricCriterionLevel {
			l := &rd.RubricCriterionLevel[j]
			if l.ID == "" {
				l.ID = "urn:uuid:" + uuid.NewString()
			}
			if strings.TrimSpace(l.Name) == "" {
				bad(fmt.Sprintf("%s.rubricCriterionLevel[%d].name", f, j), "is required")
			}
			p = appendIf(p, credential.CheckIRI(fmt.Sprintf("%s.rubricCriterionLevel[%d].id", f, j), l.ID))
			p = append(p, checkAlignments(fmt.Sprintf("%s.rubricCriterionLevel[%d].alignment", f, j), l.Alignment)...)
			l.Type = []string{credential.TypeRubricCriterionLevel}
		}
		p = append(p, checkAlignments(f+".alignment", rd.Alignment)...)
		for j := range rd.Alignment {
			rd.Alignment[j].Type = []string{credential.TypeAlignment}
		}
	}
	if in.StatusPurpose != "" && !validPurpose(in.StatusPurpose) {
		bad("statusPurpose", `must be "revocation" or "suspension"`)
	}
	if in.CreditsAvail < 0 {
		bad("creditsAvailable", "must not be negative")
	}
	return invalid(p)
}

// checkAlignments checks the IRIs of alignments nested in result
// descriptions and results, whose targetUrl is optional there.
func checkAlignments(field string, list []credential.Alignment) []*credential.ValidationError {
	var p []*credential.ValidationError
	for i, a := range list {
		if a.TargetURL != "" {
			p = appendIf(p, checkURL(fmt.Sprintf("%s[%d].targetUrl", field, i), a.TargetURL, ""))
		}
	}
	return p
}

func (s *Service) checkProfileRefs(ctx context.Context, in *AchievementInput) error {
	var p []*credential.ValidationError
	for field, id := range map[string]string{"creator": in.Creator, "profileId": in.ProfileID} {
		if id == "" {
			continue
		}
		if _, err := s.Profile(ctx, id); err != nil {
			p = append(p, &credential.ValidationError{Field: field, Reason: fmt.Sprintf("no issuer profile %q", id)})
		}
	}
	return invalid(p)
}

// CreateAchievement stores a new achievement.
func (s *Service) CreateAchievement(ctx context.Context, in AchievementInput) (Achievement, error) {
	if err := in.Validate(); err != nil {
		return Achievement{}, err
	}
	if err := s.checkProfileRefs(ctx, &in); err != nil {
		return Achievement{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	a := Achievement{ID: id, AchievementInput: in, URL: s.cfg.PublicURL + "/achievements/" + id, Created: s.now()}
	if err := s.putJSON(ctx, collAchievements, id, a, true); err != nil {
		return Achievement{}, fmt.Errorf("create achievement: %w", err)
	}
	return a, nil
}

// Achievement returns the achievement with the given ID.
func (s *Service) Achievement(ctx context.Context, id string) (Achievement, error) {
	if a, ok := s.achievements.get(id); ok {
		return a, nil
	}
	var a Achievement
	if err := s.getJSON(ctx, collAchievements, id, &a); err != nil {
		return Achievement{}, fmt.Errorf("achievement %q: %w", id, err)
	}
	s.achievements.put(id, a)
	return a, nil
}

// UpdateAchievement replaces an achievement's definition. Credentials
// issued earlier keep the definition they were signed with.
func (s *Service) UpdateAchievement(ctx context.Context, id string, in AchievementInput) (Achievement, error) {
	if err := in.Validate(); err != nil {
		return Achievement{}, err
	}
	if err := s.checkProfileRefs(ctx, &in); err != nil {
		return Achievement{}, err
	}
	old, err := s.Achievement(ctx, id)
	if err != nil {
		return Achievement{}, err
	}
	a := Achievement{ID: id, AchievementInput: in, URL: old.URL, Created: old.Created, Updated: s.now()}
	s.achievements.drop(id)
	if err := s.putJSON(ctx, collAchievements, id, a, false); err != nil {
		return Achievement{}, fmt.Errorf("update achievement: %w", err)
	}
	return a, nil
}

// DeleteAchievement removes an achievement definition. Issued credentials
// stay valid and listed.
func (s *Service) DeleteAchievement(ctx context.Context, id string) error {
	s.achievements.drop(id)
	if err := s.cfg.Store.Delete(ctx, collAchievements, id); err != nil {
		return fmt.Errorf("delete achievement: %w", err)
	}
	return nil
}

// Achievements lists achievements in creation order.
func (s *Service) Achievements(ctx context.Context, after string, limit int) ([]Achievement, string, int, error) {
	return listJSON[Achievement](ctx, s.cfg.Store, collAchievements, after, limit)
}

// OBAchievement returns the OB 3.0 Achievement object of a stored achievement.
func (s *Service) OBAchievement(ctx context.Context, a Achievement) (credential.Achievement, error) {
	ob := credential.Achievement{
		ID: a.URL, Type: []string{credential.TypeAchievement}, Name: a.Name, Description: a.Description,
		Criteria: a.Criteria, Image: a.Image, AchievementType: a.AchievementType, Alignment: a.Alignments,
		Tag: a.Tags, ResultDescription: a.ResultDescriptions, HumanCode: a.HumanCode, FieldOfStudy: a.FieldOfStudy,
		Specialization: a.Specialization, CreditsAvailable: a.CreditsAvail, InLanguage: a.InLanguage, Version: a.Version,
	}
	if a.Creator != "" {
		p, err := s.Profile(ctx, a.Creator)
		if err != nil {
			return credential.Achievement{}, err
		}
		signer, err := s.cfg.Identity.ActiveSigner(ctx)
		if err != nil {
			return credential.Achievement{}, err
		}
		creator := s.issuerObject(p, signer.DID)
		ob.Creator = &creator
	}
	return ob, nil
}
