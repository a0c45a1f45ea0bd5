; Inno Setup script: installs the one-folder Windows bundle (dist\newsdesk) for one user or all.
;
; On Windows, from the repository root:
;   .venv\Scripts\pip install -e ".[package]"
;   .venv\Scripts\python packaging\build.py
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\newsdesk.iss
; The installer lands in dist\installer\. Pass the version from pyproject.toml
; (packaging\README.md shows a one-liner that reads it); 0.0.0 marks a build that forgot to.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "newsdesk"
#define AppPublisher "The newsdesk team"
#define AppExe "newsdesk.exe"
#define Bundle "..\..\dist\newsdesk"

[Setup]
; The AppId identifies the program to Windows across upgrades: never change it.
AppId={{6E2B4C1A-3F7D-4B8E-9A51-0C7D2E9F4B63}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Reporters rarely have administrator rights on newsroom laptops: install for the
; current user by default, and offer all users to those who can.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
; Add LicenseFile=..\..\LICENSE once the repository has one (pyproject.toml says MIT).
SetupIconFile=newsdesk.ico
UninstallDisplayIcon={app}\{#AppExe}
OutputDir=..\..\dist\installer
OutputBaseFilename={#AppName}-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Upgrading in place replaces the program; the library (in the user's AppData) is never touched.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder: the executable, Python, Qt and QtWebEngine with its resources.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Files left by an older version (a renamed Qt plugin, say) would be loaded by the new one.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Write the news offline and export publishable pages"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The uninstaller removes the program only. Libraries hold a newsroom's work: they stay in
; %LOCALAPPDATA%\newsdesk\newsdesk\Library (or wherever Preferences moved them).
