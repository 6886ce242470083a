// Makes TorchSharp-cpu 0.107.0 load on hosts whose libstdc++ predates GCC 13 (Debian 12).
// See ../shared/notes/torchsharp-on-debian12.md: libLibTorchSharp.so requires the version
// GLIBCXX_3.4.32 only for the link-time anchor std::ios_base_library_init(), which nothing
// calls or binds. Marking that one Vernaux entry VER_FLG_WEAK lets the loader accept the
// library with a warning instead of refusing it. Nothing else in the file changes.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (build/TorchSharpElfFix.targets,
// where the task class below is included) and into the test project with GALT_ELF_NO_TASK defined,
// so the ELF logic itself is unit-tested.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Galt.Build
{
    /// <summary>Reads and edits the GNU symbol-version sections of a 64-bit little-endian ELF file.</summary>
    public static class ElfSymbolVersions
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;   // SHT_GNU_verdef: versions a library defines
        private const uint ShtGnuVerneed = 0x6ffffffe;  // SHT_GNU_verneed: versions a library requires
        /// <summary>VER_FLG_WEAK in a Vernaux entry's vna_flags.</summary>
        public const ushort VerFlagWeak = 0x2;

        /// <summary>One version requirement (an Elf64_Vernaux record).</summary>
        public sealed class VersionNeed
        {
            /// <summary>Creates a record view.</summary>
            public VersionNeed(string file, string version, ushort flags, long flagsOffset)
            {
                File = file; Version = version; Flags = flags; FlagsOffset = flagsOffset;
            }
            /// <summary>The needed library (vn_file), e.g. libstdc++.so.6.</summary>
            public string File { get; }
            /// <summary>The version name, e.g. GLIBCXX_3.4.32.</summary>
            public string Version { get; }
            /// <summary>vna_flags.</summary>
            public ushort Flags { get; }
            /// <summary>Byte offset of vna_flags in the file.</summary>
            public long FlagsOffset { get; }
            /// <summary>True when the requirement is marked weak.</summary>
            public bool IsWeak { get { return (Flags & VerFlagWeak) != 0; } }
        }

        private struct Section
        {
            public uint Type; public long Offset; public long Size; public int Link; public int Info;
        }

        private static Section[] ReadSections(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException(path + ": not an ELF file (bad magic).");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException(path + ": only 64-bit little-endian ELF is supported (EI_CLASS=" + elf[4] + ", EI_DATA=" + elf[5] + ").");
            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException(path + ": section header table lies outside the file (truncated?).");
            var sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections[i] = new Section
                {
                    Type = BitConverter.ToUInt32(elf, (int)h + 4),
                    Offset = BitConverter.ToInt64(elf, (int)h + 0x18),
                    Size = BitConverter.ToInt64(elf, (int)h + 0x20),
                    Link = (int)BitConverter.ToUInt32(elf, (int)h + 0x28),
                    Info = (int)BitConverter.ToUInt32(elf, (int)h + 0x2C),
                };
            }
            return sections;
        }

        private static string ReadString(byte[] elf, Section strtab, long index)
        {
            long start = strtab.Offset + index;
            long end = start;
            while (end < elf.Length && elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        /// <summary>Every version requirement (SHT_GNU_verneed) of the ELF image.</summary>
        public static List<VersionNeed> ReadNeeds(byte[] elf, string path)
        {
            var result = new List<VersionNeed>();
            var sections = ReadSections(elf, path);
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerneed) continue;
                var strtab = sections[s.Link];
                long vn = s.Offset;
                for (int n = 0; n < s.Info; n++)
                {
                    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                    int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                    string file = ReadString(elf, strtab, BitConverter.ToUInt32(elf, (int)vn + 4));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < cnt; a++)
                    {
                        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        string name = ReadString(elf, strtab, BitConverter.ToUInt32(elf, (int)aux + 8));
                        result.Add(new VersionNeed(file, name, flags, aux + 4));
                        uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                        if (next == 0) break;
                        aux += next;
                    }
                    uint vnNext = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (vnNext == 0) break;
                    vn += vnNext;
                }
            }
            return result;
        }

        /// <summary>Every version the ELF image defines (SHT_GNU_verdef), e.g. a libstdc++'s GLIBCXX_* list.</summary>
        public static List<string> ReadDefinitions(byte[] elf, string path)
        {
            var result = new List<string>();
            var sections = ReadSections(elf, path);
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerdef) continue;
                var strtab = sections[s.Link];
                long vd = s.Offset;
                for (int n = 0; n < s.Info; n++)
                {
                    // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
                    long aux = vd + BitConverter.ToUInt32(elf, (int)vd + 12);
                    // The first Verdaux names the version itself; later ones name its parents.
                    result.Add(ReadString(elf, strtab, BitConverter.ToUInt32(elf, (int)aux)));
                    uint next = BitConverter.ToUInt32(elf, (int)vd + 16);
                    if (next == 0) break;
                    vd += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Marks the requirement on <paramref name="version"/> weak in <paramref name="path"/>.
        /// Returns "patched", "already-weak" or "not-required". Idempotent: a second call changes no byte.
        /// </summary>
        public static string MarkWeak(string path, string version)
        {
            byte[] elf = File.ReadAllBytes(path);
            bool found = false;
            bool changed = false;
            foreach (var need in ReadNeeds(elf, path))
            {
                if (need.Version != version) continue;
                found = true;
                if (need.IsWeak) continue;
                byte[] flags = BitConverter.GetBytes((ushort)(need.Flags | VerFlagWeak));
                elf[need.FlagsOffset] = flags[0];
                elf[need.FlagsOffset + 1] = flags[1];
                changed = true;
            }
            if (!found) return "not-required";
            if (!changed) return "already-weak";
            // Write beside and rename over, so an interrupted build never leaves a half-written library. A rename
            // replaces the directory entry instead of writing through it: where the build hard-links copy-local
            // files (Directory.Build.props), the shared NuGet cache copy stays pristine.
            string temp = path + ".galt-tmp";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, path, null);
            return "patched";
        }

        /// <summary>
        /// The host's libstdc++.so.6: the copy this process has mapped (the .NET runtime links it on Linux),
        /// else the first found in the usual library folders; null when none is found.
        /// </summary>
        public static string? FindHostLibStdCxx()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash < 0) continue;
                    string candidate = line.Substring(slash).Trim();
                    if (Path.GetFileName(candidate).StartsWith("libstdc++.so.6", StringComparison.Ordinal) && File.Exists(candidate))
                        return candidate;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            string[] dirs =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
                "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/lib",
            };
            foreach (var dir in dirs)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        /// <summary>True when the host's libstdc++ defines <paramref name="version"/>; false when it does not or cannot be found.</summary>
        public static bool HostDefines(string version)
        {
            string? lib = FindHostLibStdCxx();
            if (lib == null) return false;
            return ReadDefinitions(File.ReadAllBytes(lib), lib).Contains(version);
        }
    }

#if !GALT_ELF_NO_TASK
    /// <summary>MSBuild task: marks GLIBCXX_3.4.32 weak in libLibTorchSharp.so when the host's libstdc++ lacks it.</summary>
    public class MarkLibTorchSharpGlibcxxWeak : Microsoft.Build.Utilities.Task
    {
        /// <summary>The output copy of libLibTorchSharp.so (never the NuGet cache's).</summary>
        [Microsoft.Build.Framework.Required]
        public string Library { get; set; } = "";

        /// <summary>The version requirement to weaken.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        /// <inheritdoc />
        public override bool Execute()
        {
            // RuntimeInformation, not OperatingSystem: the task must also compile under .NET Framework MSBuild.
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || !File.Exists(Library))
                return true;
            // Only where the host lacks the version: elsewhere the loader binds it as usual and the file stays pristine.
            if (ElfSymbolVersions.HostDefines(Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "Host libstdc++ defines " + Version + "; " + Library + " left as it is.");
                return true;
            }
            string outcome = ElfSymbolVersions.MarkWeak(Library, Version);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "TorchSharp ELF fix (" + Version + " weak): " + outcome + ": " + Library);
            return true;
        }
    }
#endif
}
