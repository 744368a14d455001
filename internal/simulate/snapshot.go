package simulate

import (
	"github.com/vigilsec/vigil/internal/jsonenc"
	"strconv"
	"strings"
)

// Periodic inventory: DeviceInfo and DeviceNetworkInfo per device,
// IdentityInfo per account, once a day (and when the simulation starts).

var (
	sym64bit          = newSym("64-bit")
	symOnboarded      = newSym("Onboarded")
	symEndpoint       = newSym("Endpoint")
	symActive         = newSym("Active")
	symStreamlined    = newSym("Streamlined")
	symEthernet       = newSym("Ethernet")
	symUp             = newSym("Up")
	symNoTunnel       = newSym("None")
	symHybridJoinType = newSym("Hybrid Azure AD Join")
	symDomainJoined   = newSym("Domain Joined")
	symNormalAsset    = newSym("Normal")
	symHighAsset      = newSym("High")
	symLowExposure    = newSym("Low")
	symMedExposure    = newSym("Medium")
)

func (s *shard) deviceSnapshot(ds *devState, now int64) {
	d := ds.d
	o := s.g.org
	if row := s.begin(tDevInfo, ds, now); row != nil {
		if ds.linux {
			row.str(cClientVersion, "101.24032.0007")
		} else {
			row.str(cClientVersion, "10.8760."+strconv.FormatInt(d.OSBuild, 10)+".1011")
			row.int(cOSBuild, d.OSBuild)
			row.bool(cIsAzureADJoined, d.Role == RoleWorkstation)
			row.str(cAadDeviceId, d.AadDeviceID)
			if d.Role == RoleWorkstation {
				row.sym(cJoinType, symHybridJoinType)
			} else {
				row.sym(cJoinType, symDomainJoined)
			}
		}
		row.str(cPublicIP, d.Site.EgressIP)
		row.sym(cOSArchitecture, sym64bit)
		row.str(cOSPlatform, d.OSPlatform)
		row.str(cOSVersion, d.OSVersion)
		row.str(cOSDistribution, d.OSDistribution)
		row.str(cOSVersionInfo, d.OSVersionInfo)
		users := "[]"
		if ds.sess != nil {
			a := ds.sess.acct
			users = `[{"UserName":"` + a.name.s + `","DomainName":"` + strings.ToUpper(a.domain.s) + `","Sid":"` + a.sid.s + `"}]`
		}
		row.str(cLoggedOnUsers, users)
		if d.Role == RoleWorkstation {
			row.str(cMachineGroup, "Workstations")
			row.str(cDeviceType, "Workstation")
			row.sym(cAssetValue, symNormalAsset)
			row.sym(cExposureLevel, symMedExposure)
		} else {
			row.str(cMachineGroup, "Servers")
			row.str(cDeviceType, "Server")
			row.sym(cAssetValue, symHighAsset)
			row.sym(cExposureLevel, symLowExposure)
		}
		row.sym(cOnboardingStatus, symOnboarded)
		row.sym(cDeviceCategory, symEndpoint)
		row.str(cModel, d.Model)
		row.str(cVendor, d.Vendor)
		row.bool(cIsInternetFacing, d.Function == "web" || d.Function == "mail")
		row.sym(cSensorHealthState, symActive)
		row.sym(cConnectivityType, symStreamlined)
		if d.Role == RoleDC {
			row.str(cDeviceManualTags, `["Tier0"]`)
		}
		s.emit(row)
	}
	if row := s.begin(tDevNetInfo, ds, now+int64(s.r.intn(1_000_000))); row != nil {
		gw := d.IP[:strings.LastIndexByte(d.IP, '.')] + ".1"
		adapter := "Ethernet"
		if ds.linux {
			adapter = "eth0"
		}
		row.str(cNetworkAdapterName, adapter)
		row.str(cMacAddress, d.MAC)
		row.sym(cNetworkAdapterType, symEthernet)
		row.sym(cNetworkAdapterStatus, symUp)
		row.sym(cTunnelType, symNoTunnel)
		row.str(cConnectedNetworks, `[{"Name":"`+o.Domain+`","Description":"`+o.Domain+`","IsConnectedToInternet":true,"Category":"Domain"}]`)
		row.str(cDnsAddresses, `["`+o.DC.IP+`"]`)
		if d.Role == RoleWorkstation {
			row.str(cIPv4Dhcp, gw)
		}
		row.str(cDefaultGateways, `["`+gw+`"]`)
		row.str(cIPAddresses, `[{"IPAddress":"`+d.IP+`","SubnetPrefix":24,"AddressType":"Private"}]`)
		row.str(cNetworkAdapterVendor, "Microsoft")
		s.emit(row)
	}
}

// identityInfo reports an account as the identity connector sees it.
func (s *shard) identityInfo(us *userState, now int64) {
	row := s.begin(tIdInfo, nil, now)
	if row == nil {
		return
	}
	o := s.g.org
	u := us.u
	a := us.acct
	row.sym(cAccountObjectId, a.objectID)
	row.sym(cAccountUpn, a.upn)
	row.sym(cOnPremSid, a.sid)
	row.sym(cAccountDisplayName, a.display)
	row.sym(cAccountName, a.name)
	row.str(cAccountDomain, o.Domain)
	switch {
	case u.IsAdmin():
		row.int(cCriticalityLevel, 4)
	case u.Role == UserExecutive:
		row.int(cCriticalityLevel, 3)
	case u.Role == UserService:
		row.int(cCriticalityLevel, 2)
	default:
		row.int(cCriticalityLevel, 0)
	}
	ou := "Users"
	if u.Role == UserService {
		ou = "Service Accounts"
		row.str(cType, "ServiceAccount")
	} else {
		row.sym(cType, symIdentityInfoType)
		row.str(cGivenName, u.GivenName)
		row.str(cSurname, u.Surname)
		row.str(cEmailAddress, u.Email)
		row.str(cCity, u.Site.City)
		row.str(cCountry, u.Site.Country)
		row.str(cJobTitle, u.JobTitle)
		if u.Manager != nil {
			row.str(cManager, u.Manager.DisplayName)
		}
	}
	dn := "CN=" + u.DisplayName + ",OU=" + ou + ",DC=" + strings.ReplaceAll(o.Domain, ".", ",DC=")
	row.str(cDistinguishedName, dn)
	row.str(cDepartment, u.Department)
	row.bool(cIsAccountEnabled, true)
	row.time(cCreatedDateTime, u.Created.UnixMicro())
	row.str(cCompanyName, o.Name)
	row.str(cTenantId, o.TenantID)
	row.str(cEmployeeId, u.EmployeeID)
	row.str(cIdentityEnvironment, "Hybrid")
	row.str(cSourceProviders, `["ActiveDirectory","AzureActiveDirectory"]`)
	var b []byte
	b = append(b, '[')
	for i, g := range u.Groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, g)
	}
	b = append(b, ']')
	row.str(cGroupMembership, string(b))
	if u.IsAdmin() {
		row.str(cAssignedRoles, `["Global Administrator"]`)
	} else {
		row.str(cAssignedRoles, `[]`)
	}
	s.emit(row)
}
