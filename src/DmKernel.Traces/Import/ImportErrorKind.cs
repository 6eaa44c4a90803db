namespace DmKernel.Traces;

/// <summary>What was wrong with a piece of importer input (one row, or a whole file).</summary>
public enum ImportErrorKind
{
    /// <summary>No input file was found.</summary>
    NoInput,

    /// <summary>A file with no bytes, or no data rows after its header (lenient: the file is skipped).</summary>
    EmptyFile,

    /// <summary>The first line is not the expected header (lenient: the file is skipped).</summary>
    BadHeader,

    /// <summary>A row with more or fewer fields than the format has.</summary>
    WrongColumnCount,

    /// <summary>A field that must hold a value is empty.</summary>
    EmptyField,

    /// <summary>A field that is not a number.</summary>
    NotANumber,

    /// <summary>NaN or ±Infinity.</summary>
    NotFinite,

    /// <summary>A negative size, percentage or timestamp.</summary>
    NegativeValue,

    /// <summary>A number outside the range the format allows (for example a percentage over 100 where that is impossible).</summary>
    OutOfRange,

    /// <summary>The file does not end with a line break (LF, CR LF or CR): its last line was cut off (lenient: that line is skipped).</summary>
    TruncatedLastLine,

    /// <summary>A timestamp earlier than the previous one of the same VM (equal ones are duplicates: the last wins).</summary>
    TimestampBackwards,

    /// <summary>A file with more or fewer rows than the format has (Google GCD: 288 per day).</summary>
    RowCount,

    /// <summary>The same VM-day (or VM) appears in two files (lenient: the later file is skipped).</summary>
    DuplicateInput,

    /// <summary>
    /// A text field (Alibaba's machine id) holding bytes that are not UTF-8 text, a control character or a quote: it would
    /// otherwise name a machine of its own.
    /// </summary>
    InvalidText,

    /// <summary>
    /// An input file that cannot be read: not a regular file once symbolic links are followed (a named pipe, a socket, a
    /// device), a broken symbolic link, a loop of links, or no read permission (lenient: the file is skipped).
    /// </summary>
    UnreadableFile,

    /// <summary>
    /// An input file that is compressed or an archive (gzip, zip, bzip2, xz, zstd, 7z, tar) rather than text, as the public
    /// traces are downloaded: the message names the format and the command that unpacks it (lenient: the file is skipped).
    /// </summary>
    CompressedFile,
}
