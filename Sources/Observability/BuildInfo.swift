/// Facts about this build of eci-profile.
public enum BuildInfo {
    /// The release version, printed by `eci-profile --version`, in the serve start log line and
    /// as the `eci_profile_build_info{version}` metric. (The Dockerfile's image label and config/ repeat it.)
    public static let version = "0.1.0"
}
